import { simProject } from '../../vitest.shared.ts';

export default simProject('web');
