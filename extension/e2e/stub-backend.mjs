// Serves the contract-speaking test peer (test/support/contract-server.mjs) so the end-to-end test can be
// tried before the real backend runs:  npm run e2e:stub  → then, in another shell,
//   COACHFLOW_URL=http://127.0.0.1:7399 COACHFLOW_TOKEN=stub-token npm run test:e2e
import { startContractServer } from '../test/support/contract-server.mjs';

const port = Number(process.env.PORT ?? 7399);
const server = await startContractServer({ port, token: process.env.COACHFLOW_TOKEN ?? 'stub-token' });
console.log(`Contract stub at ${server.url} (token: ${server.token}). Ctrl+C to stop.`);
process.on('SIGINT', () => server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
