// A single-page app: everything renders in the browser against the API (no server-side rendering, no prerendering;
// adapter-static writes index.html as the fallback that `tradelab serve` returns for every UI path).
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
