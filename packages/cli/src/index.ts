export { parseApp } from './commands/serve.js';
