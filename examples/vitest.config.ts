import { simProject } from '../vitest.shared.ts';

export default simProject('examples', { include: ['*.test.ts'] });
