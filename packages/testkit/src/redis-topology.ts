import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { SetupError } from './setup-error.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

/** One redis-server or redis-sentinel process started by the test kit, in its own temp dir. */
export interface RedisNode {
  /** `primary`, `replica`, `sentinel-1`, `node-2`… */
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly pid: number;
  readonly dir: string;
  /** SIGKILL by default: the node dies without a goodbye, as a crashed host does. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the node keeps its sockets open and answers nothing (a frozen or partitioned host). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  readonly exited: boolean;
  /** Between pause() and resume(): alive, but it answers nothing. */
  readonly paused: boolean;
  /** The end of the node's log file, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

export interface RedisSentinelTopology {
  /** The name the sentinels monitor the primary under. */
  readonly masterName: string;
  /** The node started as primary (after a failover, ask `currentPrimary()`). */
  readonly primary: RedisNode;
  readonly replica: RedisNode;
  readonly sentinels: readonly RedisNode[];
  /** `host:port` of each sentinel, as store.sentinels takes them. */
  readonly sentinelAddresses: string[];
  /** The primary's address as the sentinels name it now. */
  currentPrimary(): Promise<string>;
  /** Kills every process and removes the temp dirs. */
  stop(): Promise<void>;
}

export interface RedisClusterTopology {
  /** Every node: the masters first, then the replicas. */
  readonly nodes: readonly RedisNode[];
  /** The nodes the cluster was created with as masters (after a failover, ask `nodeForKey()`). */
  readonly masters: readonly RedisNode[];
  /** The nodes created as replicas (empty unless `replicasPerMaster` was given). */
  readonly replicas: readonly RedisNode[];
  /** `host:port` of each master, as store.cluster takes them. */
  readonly addresses: string[];
  /**
   * The master that serves `key`'s slot now, when the live nodes agree on it: every node that is
   * neither killed nor paused and answers names the same master (one not flagged `fail`/`fail?`),
   * and that master answers, claims the slot itself and has cluster_state:ok. Undefined while a
   * failover is under way or the slot is not served.
   */
  nodeForKey(key: string): Promise<RedisNode | undefined>;
  /** Kills every process and removes the temp dirs. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Masters (default 3); the slots are split evenly between them. */
  masters?: number;
  /**
   * Replicas per master (default 0). With 1, `masters * 2` nodes are started and the cluster is
   * created with `--cluster-replicas 1`; startRedisCluster then also waits until every master has
   * a replica whose replication link is up, so the cluster can fail a killed master over at once.
   */
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent node is tolerated before a failover (default 2000). */
  nodeTimeoutMs?: number;
}

export interface SentinelOptions {
  /** Sentinel's down-after-milliseconds: how long a silent primary is tolerated (default 1000). */
  downAfterMs?: number;
  /** Sentinel's failover-timeout (default 3000). */
  failoverTimeoutMs?: number;
  masterName?: string;
}

/**
 * Starts a primary, one replica and three `redis-sentinel` processes (quorum 2) on free loopback
 * ports, without persistence, and waits until the replica is in sync and every sentinel knows
 * the replica and the other two sentinels, so a failover can happen as soon as the test kills
 * the primary. Throws SetupError when redis-server is missing.
 */
export async function startRedisSentinel(options: SentinelOptions = {}): Promise<RedisSentinelTopology> {
  const masterName = options.masterName ?? 'ssohub-test';
  const nodes: RedisNode[] = [];
  const stop = () => stopAll(nodes);
  try {
    const primary = await startNode('primary', 'redis-server', []);
    nodes.push(primary);
    const replica = await startNode('replica', 'redis-server', ['--replicaof', primary.host, String(primary.port)]);
    nodes.push(replica);
    await waitFor('the replica to sync with the primary', async () => ((await info(replica, 'replication')).includes('master_link_status:up') ? true : undefined), { timeoutMs: 10_000 });
    for (let i = 1; i <= 3; i++) {
      nodes.push(
        await startNode(`sentinel-${i}`, 'redis-sentinel', [], (port, dir) => [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} ${primary.host} ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 3000}`,
          `sentinel parallel-syncs ${masterName} 1`,
        ]),
      );
    }
    const sentinels = nodes.slice(2);
    await waitFor(
      'every sentinel to know the replica and the other sentinels',
      async () => {
        for (const s of sentinels) {
          const client = connect(s);
          try {
            const replicas = (await client.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
            const peers = (await client.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
            if (replicas.length < 1 || peers.length < 2) return undefined;
          } finally {
            client.disconnect();
          }
        }
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    return {
      masterName,
      primary,
      replica,
      sentinels,
      sentinelAddresses: sentinels.map((s) => s.address),
      async currentPrimary() {
        for (const s of sentinels.filter((n) => !n.exited)) {
          const client = connect(s);
          try {
            const [host, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
            return `${host}:${port}`;
          } catch {
            // this sentinel is paused or gone; ask the next
          } finally {
            client.disconnect();
          }
        }
        throw new Error('no sentinel answered');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Starts `masters` (default 3) redis-server processes with `cluster-enabled yes`, plus
 * `replicasPerMaster` (default 0) replicas of each, and joins them with `redis-cli --cluster
 * create … --cluster-replicas <replicasPerMaster>`, then waits for cluster_state:ok on every node
 * and, with replicas, until every node sees each master with a connected replica and every
 * replica's link to its master is up. Throws SetupError when redis-server or redis-cli is missing.
 */
export async function startRedisCluster({ masters = 3, replicasPerMaster = 0, nodeTimeoutMs = 2000 }: ClusterOptions = {}): Promise<RedisClusterTopology> {
  const nodes: RedisNode[] = [];
  const stop = () => stopAll(nodes);
  try {
    for (let i = 1; i <= masters * (1 + replicasPerMaster); i++) {
      // The bus port is given explicitly: port+10000 (the default) may be taken or above 65535.
      const busPort = await freePort();
      nodes.push(
        await startNode(`node-${i}`, 'redis-server', [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', String(nodeTimeoutMs),
          '--cluster-port', String(busPort),
        ]),
      );
    }
    try {
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], { timeout: 30_000 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new SetupError('`redis-cli` is not installed (Debian: apt-get install -y redis-tools).', { cause: err });
      throw new Error(`redis-cli --cluster create failed: ${e.stderr || e.stdout || e.message}`, { cause: err });
    }
    const byAddress = (view: ClusterNodeLine) => nodes.find((n) => n.port === view.port);
    await waitFor(
      replicasPerMaster > 0 ? 'cluster_state:ok and a connected replica of every master on every node' : 'cluster_state:ok on every node',
      async () => {
        for (const n of nodes) {
          const client = connect(n);
          try {
            if (!String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return undefined;
            if (replicasPerMaster === 0) continue;
            const view = parseClusterNodes(String(await client.call('CLUSTER', 'NODES')));
            const mastersSeen = view.filter((v) => v.flags.includes('master') && v.slots.length > 0);
            if (mastersSeen.length !== masters) return undefined;
            for (const m of mastersSeen) {
              const replicas = view.filter((v) => v.flags.includes('slave') && v.masterId === m.id && v.linkState === 'connected' && !isFailing(v));
              if (replicas.length < replicasPerMaster) return undefined;
            }
          } finally {
            client.disconnect();
          }
        }
        if (replicasPerMaster === 0) return true;
        const view = parseClusterNodes(String(await withClient(nodes[0]!, (c) => c.call('CLUSTER', 'NODES'))));
        for (const v of view.filter((x) => x.flags.includes('slave'))) {
          const replica = byAddress(v);
          if (!replica || !(await info(replica, 'replication')).includes('master_link_status:up')) return undefined;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // redis-cli picks which nodes become masters; read back what it chose.
    const view = parseClusterNodes(String(await withClient(nodes[0]!, (c) => c.call('CLUSTER', 'NODES'))));
    const masterPorts = new Set(view.filter((v) => v.flags.includes('master')).map((v) => v.port));
    const masterNodes = nodes.filter((n) => masterPorts.has(n.port));
    const replicaNodes = nodes.filter((n) => !masterNodes.includes(n));
    nodes.sort((a, b) => Number(replicaNodes.includes(a)) - Number(replicaNodes.includes(b)));
    return {
      nodes,
      masters: masterNodes,
      replicas: replicaNodes,
      addresses: masterNodes.map((n) => n.address),
      async nodeForKey(key) {
        const live = nodes.filter((n) => !n.exited && !n.paused);
        let slot: number | undefined;
        const owners = new Set<RedisNode | undefined>();
        for (const n of live) {
          try {
            await withClient(n, async (c) => {
              slot ??= Number(await c.call('CLUSTER', 'KEYSLOT', key));
              const owner = parseClusterNodes(String(await c.call('CLUSTER', 'NODES'))).find((v) => v.flags.includes('master') && !isFailing(v) && v.slots.some(([from, to]) => slot! >= from && slot! <= to));
              owners.add(owner && byAddress(owner));
            });
          } catch {
            // no answer (just killed, overloaded): the others decide
          }
        }
        const [owner] = owners;
        if (owners.size !== 1 || !owner || owner.exited || owner.paused) return undefined;
        try {
          const healthy = await withClient(owner, async (c) => {
            const self = parseClusterNodes(String(await c.call('CLUSTER', 'NODES'))).find((v) => v.flags.includes('myself'));
            const claims = !!self && self.flags.includes('master') && self.slots.some(([from, to]) => slot! >= from && slot! <= to);
            return claims && String(await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok');
          });
          return healthy ? owner : undefined;
        } catch {
          return undefined;
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One line of CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slots>…` */
interface ClusterNodeLine {
  id: string;
  port: number;
  flags: string[];
  /** The master's id for a replica, `-` for a master. */
  masterId: string;
  linkState: string;
  /** Slot ranges served (importing/migrating entries left out). */
  slots: [number, number][];
}

function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , linkState = '', ...slots] = line.trim().split(' ');
      const port = Number(address.split('@')[0]!.split(':').at(-1));
      return {
        id,
        port,
        flags: flags.split(','),
        masterId,
        linkState,
        slots: slots
          .filter((x) => !x.startsWith('['))
          .map((x) => {
            const [from, to] = x.split('-');
            return [Number(from), Number(to ?? from)] as [number, number];
          }),
      };
    });
}

/** A node the viewer thinks is down (`fail`), or suspects (`fail?`). */
function isFailing(line: ClusterNodeLine): boolean {
  return line.flags.includes('fail') || line.flags.includes('fail?');
}

/**
 * Starts one redis-server of its own (no persistence) on a free loopback port: for tests that
 * freeze or kill Redis, which they must never do to the shared server on 6379.
 */
export async function startRedisServer(name = 'standalone', args: string[] = []): Promise<RedisNode & { url: string; stop(): Promise<void> }> {
  const node = await startNode(name, 'redis-server', args);
  return Object.assign(node, { url: `redis://${node.address}`, stop: () => stopAll([node]) });
}

/** A plain client to one node, for the kit's own checks (bounded: never retries). */
function connect(node: RedisNode): Redis {
  const client = new Redis(node.port, node.host, { maxRetriesPerRequest: 0, connectTimeout: 1000, commandTimeout: 1000, retryStrategy: () => null, lazyConnect: false });
  client.on('error', () => {});
  return client;
}

async function withClient<T>(node: RedisNode, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = connect(node);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function info(node: RedisNode, section: string): Promise<string> {
  return withClient(node, (c) => c.info(section));
}

/**
 * Starts `binary` on a free port in a fresh temp dir (no persistence, log file in the dir) and
 * waits until it answers PING. `configLines` writes a config file first (sentinels need one they
 * can rewrite).
 */
async function startNode(name: string, binary: 'redis-server' | 'redis-sentinel', args: string[], configLines?: (port: number, dir: string) => string[]): Promise<RedisNode> {
  const dir = await mkdtemp(join(tmpdir(), `ssohub-redis-${name}-`));
  const port = await freePort();
  const logFile = join(dir, 'redis.log');
  let argv: string[];
  if (configLines) {
    const conf = join(dir, `${binary}.conf`);
    await writeFile(conf, `${[...configLines(port, dir), `logfile ${logFile}`].join('\n')}\n`);
    argv = [conf, ...args];
  } else {
    argv = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', logFile, ...args];
  }
  // A sentinel is redis-server in sentinel mode: Debian's redis-sentinel package only adds a
  // symlink and a service, so a machine with redis-server alone can run the topology.
  const child: ChildProcess = spawn('redis-server', binary === 'redis-sentinel' ? [...argv, '--sentinel'] : argv, { stdio: 'ignore' });
  let exited = false;
  let paused = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new SetupError(`\`${binary}\` could not be started (${(err as Error).message}). Install it (Debian: apt-get install -y redis-server).`, { cause: err });
  }
  const node: RedisNode = {
    name,
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    dir,
    get exited() {
      return exited;
    },
    get paused() {
      return paused && !exited;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (exited) return;
      child.kill('SIGCONT');
      paused = false;
      child.kill(signal);
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    },
    pause() {
      child.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      child.kill('SIGCONT');
      paused = false;
    },
    async logTail(lines = 20) {
      try {
        return (await readFile(logFile, 'utf8')).trim().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
  };
  try {
    await waitFor(`${binary} ${name} on port ${port}`, async () => {
      if (exited) throw new Error(`${binary} ${name} exited: ${await node.logTail(5)}`);
      const client = connect(node);
      try {
        return (await client.ping()) === 'PONG' ? true : undefined;
      } finally {
        client.disconnect();
      }
    }, { timeoutMs: 10_000 });
  } catch (err) {
    await node.kill();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return node;
}

async function stopAll(nodes: readonly RedisNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await Promise.all(nodes.map((n) => rm(n.dir, { recursive: true, force: true })));
}
