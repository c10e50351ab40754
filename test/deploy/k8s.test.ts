/**
 * deploy/k8s/*.yaml: every document is valid against the Kubernetes API's own schemas (shipped
 * offline by kubernetes-models), and the Deployment runs the service as it must run in a cluster:
 * token from a Secret, storage from a Secret's DATABASE_URL or a volume at the data dir, probes
 * on /healthz and /readyz at the container's port, never as root.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/lib/paths.js';

type Manifest = { apiVersion: string; kind: string; metadata?: { name?: string }; [key: string]: unknown };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Probe = { httpGet?: { path?: string; port?: number | string } };
type Container = {
  name: string;
  ports?: { containerPort: number }[];
  env?: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
};
type PodSpec = { containers: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; volumes?: { name: string }[] };
type Workload = Manifest & { spec: { replicas?: number; template: { spec: PodSpec }; volumeClaimTemplates?: { metadata: { name: string } }[] } };

/** The models this folder may use, by apiVersion and kind; an unknown kind fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
};

const dir = join(packageRoot(), 'deploy/k8s');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

function manifestsOf(text: string): Manifest[] {
  return parseAllDocuments(text).map((doc) => {
    assert.deepEqual(doc.errors, [], 'YAML parses');
    return doc.toJS() as Manifest;
  }).filter((m) => m !== null);
}

/** Throws unless `m` is a known kind valid against its schema. */
function validate(m: Manifest): void {
  const Model = MODELS[`${m.apiVersion}/${m.kind}`];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}: add its model to MODELS`);
  new Model(m as never).validate();
}

const all = files.flatMap((f) => manifestsOf(readFileSync(join(dir, f), 'utf8')).map((m) => ({ file: f, m })));
const workloads = all.filter(({ m }) => m.kind === 'Deployment' || m.kind === 'StatefulSet');

describe('deploy/k8s manifests', () => {
  it('has manifests with a workload', () => {
    assert.ok(files.length > 0);
    assert.ok(workloads.length > 0);
  });

  for (const { file, m } of all) {
    it(`${file}: ${m.kind} ${m.metadata?.name} is valid against the Kubernetes schema`, () => {
      validate(m);
    });
  }

  it('the schema check rejects a broken copy', () => {
    const { m } = workloads[0];
    const wrongType = structuredClone(m) as Manifest & { spec: { replicas: unknown } };
    wrongType.spec.replicas = 'three';
    assert.throws(() => validate(wrongType), /replicas must be integer/);
    const wrongPort = structuredClone(m) as Manifest & { spec: { template: { spec: PodSpec } } };
    (wrongPort.spec.template.spec.containers[0] as { ports: unknown }).ports = [{ containerPort: { number: 3000 } }];
    assert.throws(() => validate(wrongPort), /containerPort/);
    const noContainers = structuredClone(m) as Manifest & { spec: { template: { spec: Partial<PodSpec> } } };
    delete noContainers.spec.template.spec.containers;
    assert.throws(() => validate(noContainers), /containers/);
    assert.throws(() => validate({ ...m, kind: 'Deploymnet' }), /no schema for apps\/v1 Deploymnet/);
  });

  for (const { file, m } of workloads) {
    const workload = m as Workload;
    const pod = workload.spec.template.spec;
    const service = pod.containers[0];
    const env = new Map((service.env ?? []).map((e) => [e.name, e]));
    const port = service.ports?.[0]?.containerPort;

    it(`${file}: the API token comes from a Secret`, () => {
      assert.ok(env.get('SCENESCOUT_API_TOKEN')?.valueFrom?.secretKeyRef?.key, 'SCENESCOUT_API_TOKEN from a secretKeyRef');
      assert.equal(env.get('SCENESCOUT_API_TOKEN')?.value, undefined, 'never a literal token');
    });

    it(`${file}: storage is Postgres from a Secret, or a volume at the embedded data dir`, () => {
      const url = env.get('DATABASE_URL');
      if (url) {
        assert.ok(url.valueFrom?.secretKeyRef, 'DATABASE_URL from a secretKeyRef (it holds a password)');
        return;
      }
      const dataDir = env.get('SCENESCOUT_DATA_DIR')?.value ?? '/data';
      const mount = service.volumeMounts?.find((v) => v.mountPath === dataDir);
      assert.ok(mount, `a volume mounted at ${dataDir}`);
      const claimed = (pod.volumes ?? []).some((v) => v.name === mount.name)
        || (workload.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === mount.name);
      assert.ok(claimed, `volume ${mount.name} is declared`);
      assert.equal(workload.spec.replicas ?? 1, 1, 'one replica per embedded data folder');
    });

    it(`${file}: probes /healthz (liveness) and /readyz (readiness) on the container's port`, () => {
      assert.equal(service.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(service.readinessProbe?.httpGet?.path, '/readyz');
      assert.ok(port);
      assert.equal(service.livenessProbe?.httpGet?.port, port);
      assert.equal(service.readinessProbe?.httpGet?.port, port);
      const portEnv = env.get('PORT')?.value;
      assert.equal(portEnv === undefined ? 3000 : Number(portEnv), port, 'PORT (the image says 3000) is the container port');
      assert.notEqual(env.get('HOST')?.value?.startsWith('127.'), true, 'HOST is reachable from the pod network');
    });

    it(`${file}: never runs as root`, () => {
      const runAsNonRoot = service.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const runAsUser = service.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      assert.equal(runAsNonRoot, true, 'runAsNonRoot');
      assert.ok(runAsUser !== undefined && runAsUser !== 0, 'runAsUser is set and not 0');
      assert.equal(service.securityContext?.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation: false');
      assert.equal(service.securityContext?.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem: true (it writes only to its data dir)');
    });
  }
});
