/**
 * One scenario of the fault suite (`npm run test:faults`): it starts real processes and servers
 * (scratch Postgres/Redis clusters, replicas, hostile provider servers), provokes one fault, and
 * returns the figures it measured. It throws (an `assert` failure) when an expectation fails.
 * Everything it starts listens on 127.0.0.1 and is stopped by pid before it returns.
 */
export type Figures = Record<string, number | boolean | string>;

export interface FaultScenario {
  /** short, unique, kebab-case: `replica-kill`, `hostile-nul-records` */
  name: string;
  run(): Promise<Figures>;
}
