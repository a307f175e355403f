import type { FileReader } from '../file-reader';

/** No file system in this runtime (a browser, a Web Worker): files come from `setFileReader`. */
export const platformFileReader: FileReader | undefined = undefined;
