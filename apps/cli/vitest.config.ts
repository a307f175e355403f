import { simProject } from '../../vitest.shared';

export default simProject('cli');
