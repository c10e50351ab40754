/** `scenescout migrate`: apply our SQL migrations and pg-boss's schema, then exit. */
import type { Command } from 'commander';
import { loadSpawnConfig, localDatabase, type Env } from '../../config/index.js';
import { ioOf, print, printJson, type GlobalOptions } from '../context.js';

export interface MigrateReport {
  database: string;
  applied: string[];
  version: number;
  queue: 'ready';
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations and the queue schema (DATABASE_URL, or the embedded SCENESCOUT_DATA_DIR)')
    .action(async (_opts, cmd: Command) => {
      const io = ioOf(cmd);
      const report = await migrate(io.env);
      if (cmd.optsWithGlobals<GlobalOptions>().json) return printJson(io, report);
      print(io, `database: ${report.database}`);
      print(
        io,
        report.applied.length
          ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
          : 'migrations: already up to date',
      );
      print(io, `schema version: ${report.version}; queue schema ready`);
    });
}

async function migrate(env: Env): Promise<MigrateReport> {
  const db = localDatabase(env);
  const spawn = loadSpawnConfig(env);
  // Loaded only here: the database and queue libraries are not needed by other commands.
  const { openDatabase } = await import('../../lib/db/connect.js');
  const { Migrator } = await import('../../lib/db/migrator.js');
  const { SpawnController } = await import('../../lib/spawn/controller.js');

  // Opened once, for both steps: an embedded database costs a second of CPU to open.
  const database = await openDatabase({ databaseUrl: spawn.databaseUrl, dataDir: db.dataDir, schema: spawn.schema });
  let applied: string[];
  let version: number;
  try {
    // Our migrations first, so we can say which ones ran.
    const migrator = new Migrator(database);
    applied = await migrator.migrate();
    version = await migrator.currentVersion();

    // Then pg-boss's schema and our queues: the controller owns how those are named and set up.
    // No workers and no schedules: this only initializes and shuts down again.
    const noWorkers = { initialWorkers: 0 };
    const controller = new SpawnController({
      database,
      dataDir: db.dataDir,
      schedules: { enabled: false },
      autoscale: false,
      workerTypes: { discovery: noWorkers, ingestion: noWorkers, processing: noWorkers },
    });
    try {
      await controller.initialize();
    } finally {
      await controller.shutdown(0);
    }
  } finally {
    await database.close();
  }
  return { database: db.description, applied, version, queue: 'ready' };
}
