import { packageProject } from '../../tooling/vitest/project.js';

export default packageProject('@dl/playground');
