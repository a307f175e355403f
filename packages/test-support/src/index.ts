export { type BrowserBundle, bundleForBrowser, isNodeBuiltin, runInWebContext } from './browser-bundle';
export { dataPath } from './data';
export { quickstartBasicConfig } from './quickstart-config';
export { repoRoot } from './repo-root';
export { thrownBy } from './thrown-by';
