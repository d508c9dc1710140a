export { startService } from './server';
