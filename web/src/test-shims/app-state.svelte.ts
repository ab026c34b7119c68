// Component tests run without SvelteKit's runtime: a settable `page` with the fields pages read.
export const page = $state({ url: new URL('http://localhost/'), params: {} as Record<string, string> });
