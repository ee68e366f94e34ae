import { useState } from 'react';
import { Button, Combobox, Input, Stack, type ComboboxOption } from '@grafana/ui';
import { formatSelector, parseSelector, withMatcher } from '../../datasource/domain/selector';

export interface LabelSource {
  labelNames(selector?: string): Promise<string[]>;
  labelValues(name: string, selector?: string): Promise<string[]>;
}

interface Props {
  value: string;
  onChange: (selector: string) => void;
  labels: LabelSource;
  testIds: { selector: string; labelName?: string; labelValue?: string; addMatcher?: string };
  width?: number;
}

/** Suggestions starting with what was typed come first, then those containing it. */
function suggest(items: string[], typed: string): Array<ComboboxOption<string>> {
  const lower = typed.toLowerCase();
  const starts = items.filter((item) => item.toLowerCase().startsWith(lower));
  const contains = items.filter((item) => !item.toLowerCase().startsWith(lower) && item.toLowerCase().includes(lower));
  return [...starts, ...contains].map((item) => ({ label: item, value: item }));
}

/**
 * A label selector as text (template variables allowed) plus autocomplete: pick a label name and one of its
 * values among the profiles the current selector matches, and "Add" sets that matcher.
 */
export function LabelSelectorField({ value, onChange, labels, testIds, width = 50 }: Props) {
  // The text being edited; reset when the committed selector changes from outside.
  const [draft, setDraft] = useState({ base: value, text: value });
  if (draft.base !== value) {
    setDraft({ base: value, text: value });
  }
  const [name, setName] = useState<string | null>(null);
  const [labelValue, setLabelValue] = useState<string | null>(null);
  const matchers = safeMatchers(value);
  const scope = matchers && matchers.length > 0 ? formatSelector(matchers) : undefined;

  const commit = () => draft.text !== value && onChange(draft.text);
  const addMatcher = () => {
    if (name && labelValue !== null && matchers) {
      onChange(formatSelector(withMatcher(matchers, { name, op: '=', value: labelValue })));
      setLabelValue(null);
    }
  };

  return (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      <Input
        width={width}
        data-testid={testIds.selector}
        aria-label="Label selector"
        value={draft.text}
        placeholder={'{service="api"}'}
        onChange={(event) => setDraft({ base: value, text: event.currentTarget.value })}
        onBlur={commit}
        onKeyDown={(event) => event.key === 'Enter' && commit()}
      />
      <Combobox<string>
        data-testid={testIds.labelName}
        placeholder="label"
        width={20}
        isClearable
        options={(typed) => labels.labelNames(scope).then((names) => suggest(names, typed))}
        value={name}
        onChange={(option) => {
          setName(option?.value ?? null);
          setLabelValue(null);
        }}
      />
      <Combobox<string>
        key={`values-${name}-${scope}`}
        data-testid={testIds.labelValue}
        placeholder="value"
        width={24}
        isClearable
        disabled={!name}
        options={(typed) =>
          name ? labels.labelValues(name, scope).then((values) => suggest(values, typed)) : Promise.resolve([])
        }
        value={labelValue}
        onChange={(option) => setLabelValue(option?.value ?? null)}
      />
      <Button
        data-testid={testIds.addMatcher}
        variant="secondary"
        icon="plus"
        disabled={!name || labelValue === null || !matchers}
        onClick={addMatcher}
      >
        Add
      </Button>
    </Stack>
  );
}

/** The matchers of a valid selector; undefined while the text is not one (autocomplete then scopes nothing). */
function safeMatchers(selector: string) {
  try {
    return parseSelector(selector);
  } catch {
    return undefined;
  }
}
