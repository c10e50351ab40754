/**
 * `npm start`: the service in one process (src/server/run.ts). A failure to start, most often
 * a bad configuration, ends the process with one line on stderr rather than a stack trace.
 */
import { runServer } from './server/run.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  runServer().catch((err: unknown) => {
    process.stderr.write(`scenescout: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
