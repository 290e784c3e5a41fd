import type { Command } from 'commander';
import { auditRow, verifyAuditTrail, writeAudit, type ChainProblem, type VerifyResult } from '../platform/audit.ts';
import { systemContext } from '../platform/context.ts';
import { withStore } from './users-command.ts';

/** Exit status when the chain is broken; 1 stays "the command itself failed". */
export const EXIT_CHAIN_BROKEN = 2;

const KIND_TEXT: Record<ChainProblem['kind'], string> = {
  content_modified: 'content modified',
  row_missing: 'row missing',
  out_of_order: 'out of order',
  hash_mismatch: 'hash mismatch',
};

export function formatProblem(p: ChainProblem): string {
  return `mission ${p.missionId}: seal_seq ${p.sealSeq}${p.auditId === null ? '' : `, audit_id ${p.auditId}`}: ${KIND_TEXT[p.kind]}: ${p.detail}`;
}

export function formatVerifyResult(result: VerifyResult): string[] {
  const lines: string[] = [];
  for (const m of result.missions) {
    lines.push(m.problem ? `TAMPERED ${formatProblem(m.problem)} (${m.rowsChecked} row(s) verified before it)`
      : `ok       mission ${m.missionId}: ${m.rowsChecked} row(s) verified, head seal_seq ${m.headSeq} hash ${m.headHash}`);
  }
  for (const e of result.sealErrors) lines.push(`sealer   mission ${e.missionId}: ${e.message}`);
  const total = result.missions.reduce((n, m) => n + m.rowsChecked, 0);
  lines.push(result.ok ? `audit trail verified: ${total} row(s) in ${result.missions.length} mission(s)`
    : `audit trail BROKEN in ${result.missions.filter((m) => m.problem).length} of ${result.missions.length} mission(s)`);
  return lines;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');

  audit.command('verify')
    .description('Seal pending audit rows, then walk each mission\'s hash chain in seal order and name the first bad row. ' +
      `Exits 0 when every chain verifies, ${EXIT_CHAIN_BROKEN} when one is broken. Keep the printed head hashes elsewhere: ` +
      'a chain rewritten wholesale is caught only by comparing them.')
    .option('--mission <id>', 'verify one mission only')
    .action(async (opts: { mission?: string }) => {
      await withStore(async (store) => {
        const result = await verifyAuditTrail(store.db, opts.mission ? { missionId: opts.mission } : {});
        for (const line of formatVerifyResult(result)) (/^(TAMPERED|sealer|audit trail BROKEN)/.test(line) ? console.error : console.log)(line);
        // The check is itself on record, in the mission it looked at (or the store-wide '*').
        await store.db.transaction().execute((trx) => writeAudit(trx, [auditRow({ ...systemContext(opts.mission ?? '*') },
          { action: 'audit.verify', targetType: 'audit_trail', details: { ok: result.ok, missions: result.missions.length,
            problems: result.missions.flatMap((m) => (m.problem ? [formatProblem(m.problem)] : [])) } })]));
        if (!result.ok) process.exitCode = EXIT_CHAIN_BROKEN;
      });
    });
}
