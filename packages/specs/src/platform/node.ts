export { nodeFileReader as platformFileReader } from '../node';
