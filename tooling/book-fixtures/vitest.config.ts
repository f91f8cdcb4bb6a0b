import { packageProject } from '@dl/vitest-config/project';

export default packageProject('@dl/book-fixtures');
