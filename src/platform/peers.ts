import cluster from 'node:cluster';

/**
 * The other server processes of one install (`TUTELA_WORKERS` > 1, node:cluster). What one process
 * forgets because of a committed change — the record keys of an erased identity, the sessions after a
 * logout or a password change, the data keys after a rotation — every other process must forget too,
 * at once: otherwise an erased child's name still opens, or a revoked token still works, in whichever
 * process happens to serve the next request. A worker tells the primary, which tells every other worker.
 * (Servers on other machines sharing one PostgreSQL are not reached: README, TUTELA_WORKERS.)
 */
export type PeerNews =
  | { tutela: 'forget-record-keys'; missionId: string; keyIds: string[] }
  | { tutela: 'forget-data-keys'; missionId: string | null }
  | { tutela: 'forget-sessions' };

const isNews = (m: unknown): m is PeerNews => typeof m === 'object' && m !== null && typeof (m as { tutela?: unknown }).tutela === 'string'
  && ['forget-record-keys', 'forget-data-keys', 'forget-sessions'].includes((m as { tutela: string }).tutela);

/** Sends news to the other processes; nothing to do in a single-process server. */
export function tellPeers(news: PeerNews): void {
  if (cluster.isWorker && process.send && process.connected) process.send(news);
}

/** In a worker: acts on news from the others. */
export function listenToPeers(act: (news: PeerNews) => void): void {
  if (!cluster.isWorker) return;
  process.on('message', (m: unknown) => { if (isNews(m)) act(m); });
}

/** In the primary: passes each worker's news to every other worker. */
export function relayBetweenWorkers(): void {
  cluster.on('message', (from, m: unknown) => {
    if (!isNews(m)) return;
    for (const w of Object.values(cluster.workers ?? {})) if (w && w.id !== from.id && w.isConnected()) w.send(m);
  });
}
