import { Command } from 'commander';
import { ConfigError } from '../platform/config.ts';
import { AppError } from '../platform/errors.ts';

type Register = (program: Command) => void;
/**
 * Each command's module, by the top-level names it registers, loaded only when asked for: the modules
 * together pull in the web server, spreadsheet and PDF libraries and every service, so a command that
 * needs none of them (`tutela export mrm`, measured by its peak memory) must not pay for them.
 */
const COMMANDS: [names: string[], load: () => Promise<Register>][] = [
  [['serve', 'migrate'], async () => (await import('./serve-command.ts')).registerServeCommands],
  [['users'], async () => (await import('./users-command.ts')).registerUserCommands],
  [['demo'], async () => (await import('./demo-command.ts')).registerDemoCommand],
  [['audit'], async () => (await import('./audit-command.ts')).registerAuditCommand],
  [['backup', 'restore'], async () => (await import('./backup-command.ts')).registerBackupCommands],
  [['keys'], async () => (await import('./keys-command.ts')).registerKeysCommands],
  [['match'], async () => (await import('./match-command.ts')).registerMatchCommand],
  [['hotspots'], async () => (await import('./hotspots-command.ts')).registerHotspotsCommand],
  [['import'], async () => (await import('./import-command.ts')).registerImportCommands],
  [['report', 'export'], async () => (await import('./report-command.ts')).registerReportCommands],
  [['conduct'], async () => (await import('./sea-command.ts')).registerSeaCommands],
  [['cases'], async () => (await import('./cases-command.ts')).registerCasesCommands],
];

const program = new Command('tutela')
  .description('Tutela: child protection information system for UN peace operations.\n' +
    'The store is PGlite in TUTELA_DATA_DIR (default ./data) unless DATABASE_URL names a PostgreSQL database.')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

try {
  // The command asked for, or every command for help and for a name to be refused.
  const asked = COMMANDS.filter(([names]) => names.includes(process.argv[2] ?? ''));
  for (const [, load] of asked.length > 0 ? asked : COMMANDS) (await load())(program);
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
