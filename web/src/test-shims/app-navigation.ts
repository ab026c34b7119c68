// Component tests run without SvelteKit's runtime: `goto` records where the page wanted to go.
export const navigations: string[] = [];
export async function goto(url: string | URL): Promise<void> { navigations.push(String(url)); }
export async function invalidateAll(): Promise<void> {}
export async function invalidate(): Promise<void> {}
