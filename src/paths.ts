// Where the repository's files are, from the compiled module (dist/src/paths.js).
export const REPO_ROOT = new URL('../../', import.meta.url);
export const dataFile = (name: string): URL => new URL(`data/${name}`, REPO_ROOT);
