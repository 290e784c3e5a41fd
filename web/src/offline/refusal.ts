import type { TFunction } from 'i18next';
import { ApiError } from '../api/client.ts';
import { errorText } from '../components/field.tsx';
import type { OutboxItem } from './outbox.ts';

/** Why the server refused an item, in the reader's language (its error code translated, else its message). */
export function refusalText(t: TFunction, item: Pick<OutboxItem, 'last_error' | 'last_message'>): string {
  return errorText(t, new ApiError(0, item.last_error ?? 'generic', item.last_message ?? '', null, null));
}
