import { simProject } from '../../vitest.shared';

export default simProject('perf-model');
