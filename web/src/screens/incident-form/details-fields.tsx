import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { DETAILS_BY_TYPE } from '../../../../src/modules/mrm/vocabulary.ts';
import type { ViolationType } from '../../api/types.ts';
import { Field } from '../../components/field.tsx';

/**
 * The sub-type fields of one violation type, read from the server's own detail schema: a new field
 * there appears here (it needs only its label in the three languages).
 */
type Control = { kind: 'one'; options: readonly string[] } | { kind: 'many'; options: readonly string[] } | { kind: 'number' };

function controlOf(schema: z.ZodType): Control | null {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodEnum) return { kind: 'one', options: inner.options as string[] };
  if (inner instanceof z.ZodArray && inner.element instanceof z.ZodEnum) return { kind: 'many', options: inner.element.options as string[] };
  if (inner instanceof z.ZodNumber) return { kind: 'number' };
  return null;
}

export function detailControls(type: ViolationType): [string, Control][] {
  const shape = (DETAILS_BY_TYPE[type] as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, s]) => [name, controlOf(s)] as const).filter((e): e is [string, Control] => e[1] !== null);
}

export function DetailsFields({ type, value, onChange, errorFor }: {
  type: ViolationType; value: Record<string, unknown>; onChange(next: Record<string, unknown>): void; errorFor(field: string): string | null;
}) {
  const { t } = useTranslation();
  const set = (name: string, v: unknown) => onChange({ ...value, [name]: v });
  return (
    <div className="details-grid">
      {detailControls(type).map(([name, control]) => {
        const label = t(`details.${name}`);
        const error = errorFor(name);
        if (control.kind === 'many') {
          return <ManyChoice key={name} label={label} options={control.options} value={(value[name] as string[] | undefined) ?? []} onChange={(v) => set(name, v)} error={error} />;
        }
        if (control.kind === 'number') {
          return (
            <Field key={name} label={label} error={error}>
              <input type="number" inputMode="numeric" min={0} step={1} value={(value[name] as number | undefined) ?? ''}
                onChange={(e) => set(name, e.target.value === '' ? undefined : Number(e.target.value))} />
            </Field>
          );
        }
        return (
          <Field key={name} label={label} error={error}>
            <select value={(value[name] as string | undefined) ?? ''} onChange={(e) => set(name, e.target.value || undefined)}>
              <option value="">—</option>
              {control.options.map((o) => <option key={o} value={o}>{t(`opt.${o}`)}</option>)}
            </select>
          </Field>
        );
      })}
    </div>
  );
}

function ManyChoice({ label, options, value, onChange, error }: { label: string; options: readonly string[]; value: string[]; onChange(v: string[]): void; error: string | null }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <fieldset className={`choice-group${error ? ' field-invalid' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{label} <span className="hint">{t('form.selectMany')}</span></legend>
      <div className="choices">
        {options.map((o) => (
          <label key={o} className="choice">
            <input type="checkbox" checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))} />
            <span>{t(`opt.${o}`)}</span>
          </label>
        ))}
      </div>
      {error && <p className="error" id={`${id}-error`} role="alert">{error}</p>}
    </fieldset>
  );
}
