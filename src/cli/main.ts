import { Command } from 'commander';
import { ConfigError } from '../platform/config.ts';
import { AppError } from '../platform/errors.ts';
import { registerAuditCommand } from './audit-command.ts';
import { registerBackupCommands } from './backup-command.ts';
import { registerCasesCommands } from './cases-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerHotspotsCommand } from './hotspots-command.ts';
import { registerImportCommands } from './import-command.ts';
import { registerKeysCommands } from './keys-command.ts';
import { registerMatchCommand } from './match-command.ts';
import { registerReportCommands } from './report-command.ts';
import { registerSeaCommands } from './sea-command.ts';
import { registerServeCommands } from './serve-command.ts';
import { registerUserCommands } from './users-command.ts';

const program = new Command('tutela')
  .description('Tutela: child protection information system for UN peace operations.\n' +
    'The store is PGlite in TUTELA_DATA_DIR (default ./data) unless DATABASE_URL names a PostgreSQL database.')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerServeCommands(program);
registerUserCommands(program);
registerDemoCommand(program);
registerAuditCommand(program);
registerBackupCommands(program);
registerKeysCommands(program);
registerMatchCommand(program);
registerHotspotsCommand(program);
registerImportCommands(program);
registerReportCommands(program);
registerSeaCommands(program);
registerCasesCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof AppError) {
    const d = err.details;
    console.error(`tutela: ${err.message}${d.field ? ` [${d.field}${d.rule ? `: ${d.rule}` : ''}]` : d.rule ? ` (${d.rule})` : ''}`);
  } else if (err instanceof ConfigError) {
    console.error(`tutela: ${err.message}`);
  } else {
    console.error('tutela:', err instanceof Error ? err.stack ?? err.message : err);
  }
  process.exitCode = 1;
}
