// Remote config of one project: #/projects/:projectId/config.
// Keys with typed value editors and ordered conditions, segments with their rules,
// a preview of what a client context receives, and the config versions with rollback.
// REST: /v1/admin/projects/:projectId/config… and …/segments… (docs/api/remote-config.md),
// GET …/config/preview (the console contract).
import { api, confirmAction, errorBox, field, h, loading, notice, replace, table, timeCell, uid } from './lib.js';
import { pageScope, projectNav, projectPath } from './projects.js';

const enc = encodeURIComponent;
const TYPES = ['string', 'number', 'boolean', 'json'];
const ATTRIBUTES = ['platform', 'app_version', 'country', 'user_id'];
const OPERATORS = [
  ['eq', 'equals'],
  ['neq', 'does not equal'],
  ['in', 'is one of'],
  ['not_in', 'is none of'],
  ['exists', 'is present'],
  ['semver_eq', 'version ='],
  ['semver_gt', 'version >'],
  ['semver_gte', 'version ≥'],
  ['semver_lt', 'version <'],
  ['semver_lte', 'version ≤'],
];
const LIST_OPERATORS = new Set(['in', 'not_in']);

/** A value as short text for tables. */
function show(value) {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * A typed value editor: {node, read() (throws Error with a message), raw(), control}.
 * string: a text area; number: a number input; boolean: a select; json: a text area with JSON.
 */
function valueEditor(type, value, label, name) {
  let control;
  if (type === 'boolean') {
    control = h(
      'select',
      { name },
      h('option', { value: 'true', selected: value === true }, 'true'),
      h('option', { value: 'false', selected: value !== true }, 'false'),
    );
  } else if (type === 'number') {
    control = h('input', { type: 'number', name, step: 'any', inputmode: 'decimal', value: typeof value === 'number' ? String(value) : '' });
  } else if (type === 'json') {
    control = h('textarea', { name, rows: '3', spellcheck: 'false' });
    control.value = value === undefined ? '' : JSON.stringify(value, null, 2);
  } else {
    control = h('textarea', { name, rows: '1' });
    control.value = typeof value === 'string' ? value : '';
  }
  const hint = { string: 'Text.', number: 'A number.', boolean: 'true or false.', json: 'Any JSON value: object, array, string, number, true, false or null.' }[type];
  const node = field(label, control, hint);
  return {
    node,
    control,
    raw: () => control.value,
    read() {
      control.removeAttribute('aria-invalid');
      const v = control.value;
      try {
        if (type === 'boolean') return v === 'true';
        if (type === 'number') {
          const n = Number(v);
          if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${label}: enter a number`);
          return n;
        }
        if (type === 'json') {
          try {
            return JSON.parse(v);
          } catch (e) {
            throw new Error(`${label}: not valid JSON (${e.message})`);
          }
        }
        return v;
      } catch (e) {
        control.setAttribute('aria-invalid', 'true');
        throw e;
      }
    },
  };
}

/** Carries a value over to another type where it makes sense. */
function convert(raw, from, to) {
  if (from === to) return undefined;
  if (to === 'string') return from === 'json' ? raw.replace(/^"|"$/g, '') : raw;
  if (to === 'number') return Number.isFinite(Number(raw)) && raw.trim() !== '' ? Number(raw) : undefined;
  if (to === 'boolean') return raw.trim() === 'true';
  if (to === 'json') {
    if (from === 'string') return raw;
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

export async function render(root, route) {
  const scope = pageScope();
  const projectId = route.params.projectId;
  const base = projectPath(projectId);
  const heading = h('h1', { tabindex: '-1' }, 'Remote config');
  const intro = h('p', { class: 'intro' }, 'Keys, their conditions and the segments they target. The first matching condition gives the value.');
  const pageMessage = h('div', { class: 'page-message' });

  const keysSlot = h('div', {}, loading('Loading the keys…'));
  const editorSlot = h('div');
  const segmentsSlot = h('div', {}, loading('Loading the segments…'));
  const segmentEditorSlot = h('div');
  const versionsSlot = h('div', {}, loading('Loading the history…'));
  const versionsMore = h('div', { class: 'pager' });
  const t = { keys: uid('t'), segs: uid('t'), preview: uid('t'), versions: uid('t') };

  let entries = [];
  let segments = [];

  const preview = previewPanel();

  // The project first: an unknown one is one error, not one per section.
  replace(root, h('header', { class: 'page-header' }, h('div', {}, heading)), projectNav(projectId, 'config'), loading('Loading the project…'));
  let project;
  try {
    project = await api('GET', base);
  } catch (err) {
    if (scope.alive) replace(root, h('header', { class: 'page-header' }, h('div', {}, heading)), projectNav(projectId, 'config'), errorBox(err));
    return;
  }
  if (!scope.alive) return;
  heading.textContent = `Remote config: ${project.name}`;

  replace(
    root,
    h('header', { class: 'page-header' }, h('div', {}, heading, intro)),
    projectNav(projectId, 'config'),
    pageMessage,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.keys },
      h('h2', { id: t.keys }, 'Config keys'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => openEditor(null) }, 'Add key')),
      editorSlot,
      keysSlot,
    ),
    h('section', { class: 'panel', 'aria-labelledby': t.preview }, h('h2', { id: t.preview }, 'Preview'), preview.node),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.segs },
      h('h2', { id: t.segs }, 'Segments'),
      h('p', { class: 'hint' }, 'Named sets of clients, by the context they report. System segments cannot be changed.'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => openSegmentEditor(null) }, 'Add segment')),
      segmentEditorSlot,
      segmentsSlot,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.versions },
      h('h2', { id: t.versions }, 'History'),
      h('p', { class: 'hint' }, 'Every change makes a new config version. Rolling back makes an old version current again, as a new version.'),
      versionsSlot,
      versionsMore,
    ),
  );

  function say(text, kind = 'success') {
    replace(pageMessage, notice(text, kind));
  }

  // Everything that a write changes: the lists, the preview, the history.
  async function afterWrite() {
    await Promise.all([loadKeys(), loadSegments(), loadVersions()]);
    preview.refresh();
  }

  // -------------------------------------------------------------- keys

  async function loadKeys() {
    try {
      const list = await api('GET', `${base}/config`);
      if (!scope.alive) return;
      entries = list;
      replace(
        keysSlot,
        table(
          [
            { label: 'Key', cell: (e) => h('code', {}, e.key) },
            { label: 'Type', cell: (e) => e.value_type },
            { label: 'Default value', class: 'wrap', cell: (e) => h('code', {}, show(e.value)) },
            {
              label: 'Conditions',
              class: 'wrap',
              cell: (e) =>
                e.conditions.length
                  ? h(
                      'ol',
                      { class: 'conditions-summary' },
                      e.conditions.map((c) => h('li', {}, conditionText(c), ' → ', h('code', {}, show(c.value)))),
                    )
                  : h('span', { class: 'muted' }, 'none'),
            },
            { label: 'Version', cell: (e) => String(e.version) },
            { label: 'Updated', cell: (e) => timeCell(e.updated_at) },
            {
              label: 'Actions',
              cell: (e) =>
                h(
                  'div',
                  { class: 'row-actions' },
                  h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${e.key}`, onclick: () => openEditor(e) }, 'Edit'),
                  h('button', { type: 'button', class: 'danger-text small', 'aria-label': `Delete ${e.key}`, onclick: () => deleteKey(e) }, 'Delete'),
                ),
            },
          ],
          entries,
          { empty: 'No config keys yet. Add the first one.', caption: 'Config keys' },
        ),
      );
    } catch (err) {
      if (scope.alive) replace(keysSlot, errorBox(err));
    }
  }

  function conditionText(c) {
    const parts = [];
    if (c.name) parts.push(`${c.name}: `);
    if (c.segment) parts.push(`segment ${c.segment}`);
    if (c.segment && c.percentage !== undefined && c.percentage !== null) parts.push(' and ');
    if (c.percentage !== undefined && c.percentage !== null) parts.push(`${c.percentage}% of users`);
    return parts.join('');
  }

  async function deleteKey(e) {
    const ok = await confirmAction(`Delete the key “${e.key}”? Apps stop receiving it on their next fetch.`, {
      confirmLabel: 'Delete key',
      title: 'Delete this key?',
    });
    if (!ok) return;
    try {
      await api('DELETE', `${base}/config/${enc(e.key)}`);
      say(`The key ${e.key} was deleted.`);
      if (editorSlot.dataset.key === e.key) replace(editorSlot);
      await afterWrite();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  /** The key editor: a new key (entry null) or an existing one. Saves with POST (an upsert). */
  function openEditor(entry) {
    const isNew = !entry;
    const titleId = uid('t');
    let type = entry?.value_type ?? 'string';
    const keyInput = h('input', {
      type: 'text',
      name: 'key',
      required: true,
      maxlength: '128',
      pattern: '[A-Za-z][A-Za-z0-9_.\\-]{0,127}',
      autocomplete: 'off',
      spellcheck: 'false',
      value: entry?.key ?? '',
      readonly: !isNew,
    });
    const typeSelect = h(
      'select',
      { name: 'value_type' },
      TYPES.map((ty) => h('option', { value: ty, selected: ty === type }, ty)),
    );
    const description = h('textarea', { name: 'description', rows: '2', maxlength: '1000' });
    description.value = entry?.description ?? '';
    const defaultSlot = h('div');
    let defaultEditor = valueEditor(type, entry ? entry.value : type === 'string' ? '' : undefined, 'Default value', 'value');
    defaultSlot.append(defaultEditor.node);

    const conditionList = h('ol', { class: 'conditions' });
    const conditions = [];
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Save key');

    function conditionRow(c) {
      const row = {};
      row.legend = h('legend', {});
      row.name = h('input', { type: 'text', name: 'condition-name', maxlength: '100', value: c.name ?? '' });
      row.segment = h(
        'select',
        { name: 'condition-segment' },
        h('option', { value: '' }, '— any client —'),
        segments.map((s) => h('option', { value: s.name, selected: s.name === c.segment }, s.name)),
        c.segment && !segments.some((s) => s.name === c.segment) ? h('option', { value: c.segment, selected: true }, c.segment) : null,
      );
      row.percentage = h('input', {
        type: 'number',
        name: 'condition-percentage',
        min: '0',
        max: '100',
        step: '0.01',
        inputmode: 'decimal',
        value: c.percentage ?? '',
      });
      row.valueSlot = h('div');
      row.editor = valueEditor(type, c.value, 'Value', 'condition-value');
      row.valueSlot.append(row.editor.node);
      row.up = h('button', { type: 'button', class: 'secondary small', onclick: () => move(row, -1) }, 'Move up');
      row.down = h('button', { type: 'button', class: 'secondary small', onclick: () => move(row, 1) }, 'Move down');
      row.remove = h(
        'button',
        {
          type: 'button',
          class: 'danger-text small',
          onclick: () => {
            const i = conditions.indexOf(row);
            conditions.splice(i, 1);
            redraw();
            (conditions[i]?.remove ?? conditions[i - 1]?.remove ?? addButton).focus();
          },
        },
        'Remove',
      );
      row.node = h(
        'li',
        { class: 'condition' },
        h(
          'fieldset',
          {},
          row.legend,
          h(
            'div',
            { class: 'form-grid' },
            field('Name (optional)', row.name),
            field('Segment', row.segment),
            field('Percentage of users (optional)', row.percentage, '0–100; needs a user id. With a segment: both must match.'),
          ),
          row.valueSlot,
          h('div', { class: 'actions' }, row.up, row.down, row.remove),
        ),
      );
      return row;
    }

    function redraw() {
      conditions.forEach((row, i) => {
        row.legend.textContent = `Condition ${i + 1}`;
        row.up.disabled = i === 0;
        row.down.disabled = i === conditions.length - 1;
        row.up.setAttribute('aria-label', `Move condition ${i + 1} up`);
        row.down.setAttribute('aria-label', `Move condition ${i + 1} down`);
        row.remove.setAttribute('aria-label', `Remove condition ${i + 1}`);
      });
      replace(conditionList, conditions.map((row) => row.node));
      emptyConditions.hidden = conditions.length > 0;
    }

    function move(row, delta) {
      const i = conditions.indexOf(row);
      const j = i + delta;
      if (j < 0 || j >= conditions.length) return;
      [conditions[i], conditions[j]] = [conditions[j], conditions[i]];
      redraw();
      // Keep the focus on the button that was pressed (or its twin at the end of the list).
      const button = delta < 0 ? row.up : row.down;
      (button.disabled ? (delta < 0 ? row.down : row.up) : button).focus();
      live.textContent = `Condition moved to position ${j + 1} of ${conditions.length}.`;
    }

    const live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    const emptyConditions = h('p', { class: 'hint' }, 'No conditions: every client gets the default value.');
    const addButton = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          const row = conditionRow({ value: type === 'string' ? '' : undefined });
          conditions.push(row);
          redraw();
          row.segment.focus();
        },
      },
      'Add condition',
    );

    for (const c of entry?.conditions ?? []) conditions.push(conditionRow(c));

    typeSelect.addEventListener('change', () => {
      const from = type;
      type = typeSelect.value;
      const swap = (old, label, name) => valueEditor(type, convert(old.raw(), from, type), label, name);
      defaultEditor = swap(defaultEditor, 'Default value', 'value');
      replace(defaultSlot, defaultEditor.node);
      for (const row of conditions) {
        row.editor = swap(row.editor, 'Value', 'condition-value');
        replace(row.valueSlot, row.editor.node);
      }
    });

    const form = h(
      'form',
      {
        class: 'key-editor',
        'aria-labelledby': titleId,
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
          let body;
          try {
            body = {
              key: keyInput.value.trim(),
              value_type: type,
              value: defaultEditor.read(),
              description: description.value.trim() || null,
              conditions: conditions.map((row, i) => {
                const c = { value: row.editor.read() };
                if (row.name.value.trim()) c.name = row.name.value.trim();
                if (row.segment.value) c.segment = row.segment.value;
                if (row.percentage.value.trim() !== '') c.percentage = Number(row.percentage.value);
                if (!c.segment && c.percentage === undefined) {
                  row.segment.setAttribute('aria-invalid', 'true');
                  throw Object.assign(new Error(`Condition ${i + 1}: choose a segment, a percentage, or both.`), { control: row.segment });
                }
                return c;
              }),
            };
          } catch (err) {
            replace(message, errorBox(err));
            (err.control ?? form.querySelector('[aria-invalid="true"]'))?.focus();
            return;
          }
          submit.disabled = true;
          try {
            const saved = await api('POST', `${base}/config`, body);
            replace(editorSlot);
            say(`Saved ${saved.key} (version ${saved.version}).`);
            await afterWrite();
          } catch (err) {
            replace(message, errorBox(err));
            const control = controlFor(err.details?.field);
            if (control) {
              control.setAttribute('aria-invalid', 'true');
              control.focus();
            }
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('h3', { id: titleId }, isNew ? 'Add a key' : `Edit ${entry.key}`),
      h(
        'div',
        { class: 'form-grid' },
        field('Key', keyInput, isNew ? 'A letter, then letters, digits, _ . or - (up to 128).' : 'The name cannot be changed.'),
        field('Type', typeSelect),
      ),
      defaultSlot,
      field('Description (optional)', description, 'Notes for developers; never sent to apps.'),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Conditions'),
        h('p', { class: 'hint' }, 'Tried in order; the first that matches gives the value. Use Move up / Move down to reorder.'),
        emptyConditions,
        conditionList,
        live,
        addButton,
      ),
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => replace(editorSlot) }, 'Cancel'),
      ),
      message,
    );

    // details.field of a 400 → the control to fix.
    function controlFor(name) {
      if (!name) return null;
      if (name === 'key') return keyInput;
      if (name === 'value') return defaultEditor.control;
      if (name === 'value_type') return typeSelect;
      if (name === 'description') return description;
      const m = /^conditions\[(\d+)\](?:\.(\w+))?/.exec(name);
      const row = m && conditions[Number(m[1])];
      if (!row) return null;
      return { name: row.name, segment: row.segment, percentage: row.percentage, value: row.editor.control }[m[2]] ?? row.segment;
    }

    redraw();
    editorSlot.dataset.key = entry?.key ?? '';
    replace(editorSlot, h('div', { class: 'panel highlight' }, form));
    (isNew ? keyInput : typeSelect).focus();
  }

  // -------------------------------------------------------------- segments

  async function loadSegments() {
    try {
      const list = await api('GET', `${base}/segments`);
      if (!scope.alive) return;
      segments = list;
      replace(
        segmentsSlot,
        table(
          [
            { label: 'Name', cell: (s) => h('code', {}, s.name) },
            { label: 'Match', cell: (s) => (s.match === 'any' ? 'any rule' : 'all rules') },
            {
              label: 'Rules',
              class: 'wrap',
              cell: (s) =>
                s.rules.length
                  ? h('div', { class: 'chips' }, s.rules.map((r) => h('span', { class: 'chip' }, ruleText(r))))
                  : h('span', { class: 'muted' }, 'none: every client'),
            },
            { label: 'Description', class: 'wrap', cell: (s) => s.description ?? '' },
            { label: 'Kind', cell: (s) => (s.is_system ? h('span', { class: 'badge info' }, 'System') : 'Custom') },
            {
              label: 'Actions',
              cell: (s) =>
                s.is_system
                  ? ''
                  : h(
                      'div',
                      { class: 'row-actions' },
                      h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit segment ${s.name}`, onclick: () => openSegmentEditor(s) }, 'Edit'),
                      h('button', { type: 'button', class: 'danger-text small', 'aria-label': `Delete segment ${s.name}`, onclick: () => deleteSegment(s) }, 'Delete'),
                    ),
            },
          ],
          segments,
          { empty: 'No segments yet. Provisioning adds the system segments (all_users, ios, android, web).', caption: 'Segments' },
        ),
      );
    } catch (err) {
      if (scope.alive) replace(segmentsSlot, errorBox(err));
    }
  }

  function ruleText(r) {
    const op = OPERATORS.find(([o]) => o === r.operator)?.[1] ?? r.operator;
    if (r.operator === 'exists') return `${r.attribute} ${op}`;
    if (r.values) return `${r.attribute} ${op} ${r.values.join(', ')}`;
    return `${r.attribute} ${op} ${r.value}`;
  }

  async function deleteSegment(s) {
    const ok = await confirmAction(`Delete the segment “${s.name}”?`, { confirmLabel: 'Delete segment', title: 'Delete this segment?' });
    if (!ok) return;
    try {
      await api('DELETE', `${base}/segments/${enc(s.name)}`);
      say(`The segment ${s.name} was deleted.`);
      await afterWrite();
    } catch (err) {
      const keys = err.details?.keys;
      replace(pageMessage, errorBox(err), keys?.length ? h('p', { class: 'hint' }, `Used by the conditions of: ${keys.join(', ')}. Remove those conditions first.`) : null);
    }
  }

  function openSegmentEditor(segment) {
    const isNew = !segment;
    const titleId = uid('t');
    const name = h('input', {
      type: 'text',
      name: 'segment-name',
      required: true,
      maxlength: '63',
      pattern: '[a-z][a-z0-9_\\-]{0,62}',
      autocomplete: 'off',
      spellcheck: 'false',
      value: segment?.name ?? '',
      readonly: !isNew,
    });
    const description = h('input', { type: 'text', name: 'segment-description', maxlength: '1000', value: segment?.description ?? '' });
    const match = h(
      'select',
      { name: 'segment-match' },
      h('option', { value: 'all', selected: segment?.match !== 'any' }, 'all rules match'),
      h('option', { value: 'any', selected: segment?.match === 'any' }, 'any rule matches'),
    );
    const ruleList = h('ol', { class: 'rules' });
    const rules = [];
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Save segment');

    function ruleRow(r) {
      const row = {};
      const custom = r.attribute?.startsWith('attr.');
      row.attribute = h(
        'select',
        { name: 'rule-attribute' },
        ATTRIBUTES.map((a) => h('option', { value: a, selected: a === r.attribute }, a)),
        h('option', { value: 'attr.', selected: custom }, 'custom attribute (attr.…)'),
      );
      row.custom = h('input', { type: 'text', name: 'rule-custom', maxlength: '64', value: custom ? r.attribute.slice(5) : '', spellcheck: 'false' });
      row.customField = field('Attribute name', row.custom, 'The app sends it as attr.<name>.');
      row.operator = h('select', { name: 'rule-operator' }, OPERATORS.map(([o, label]) => h('option', { value: o, selected: o === r.operator }, `${label} (${o})`)));
      row.value = h('input', { type: 'text', name: 'rule-value', value: r.values ? r.values.join(', ') : (r.value ?? ''), spellcheck: 'false' });
      row.valueField = field('Value', row.value, 'For “is one of” / “is none of”: values separated by commas.');
      row.legend = h('legend', {});
      row.remove = h(
        'button',
        {
          type: 'button',
          class: 'danger-text small',
          onclick: () => {
            rules.splice(rules.indexOf(row), 1);
            redraw();
            addRule.focus();
          },
        },
        'Remove rule',
      );
      const sync = () => {
        row.customField.hidden = row.attribute.value !== 'attr.';
        row.valueField.hidden = row.operator.value === 'exists';
      };
      row.attribute.addEventListener('change', sync);
      row.operator.addEventListener('change', sync);
      sync();
      row.node = h(
        'li',
        {},
        h(
          'fieldset',
          {},
          row.legend,
          h('div', { class: 'form-grid' }, field('Attribute', row.attribute), row.customField, field('Operator', row.operator), row.valueField),
          h('div', { class: 'actions' }, row.remove),
        ),
      );
      row.read = () => {
        const attribute = row.attribute.value === 'attr.' ? `attr.${row.custom.value.trim()}` : row.attribute.value;
        const out = { attribute, operator: row.operator.value };
        if (out.operator === 'exists') return out;
        if (LIST_OPERATORS.has(out.operator)) {
          out.values = row.value.value
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean);
        } else out.value = row.value.value.trim();
        return out;
      };
      return row;
    }

    function redraw() {
      rules.forEach((row, i) => {
        row.legend.textContent = `Rule ${i + 1}`;
        row.remove.setAttribute('aria-label', `Remove rule ${i + 1}`);
      });
      replace(ruleList, rules.map((r) => r.node));
      noRules.hidden = rules.length > 0;
    }

    const noRules = h('p', { class: 'hint' }, 'No rules: the segment matches every client.');
    const addRule = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          const row = ruleRow({ attribute: 'platform', operator: 'eq' });
          rules.push(row);
          redraw();
          row.attribute.focus();
        },
      },
      'Add rule',
    );
    for (const r of segment?.rules ?? []) rules.push(ruleRow(r));

    const form = h(
      'form',
      {
        class: 'segment-editor',
        'aria-labelledby': titleId,
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          const body = { description: description.value.trim() || null, match: match.value, rules: rules.map((r) => r.read()) };
          submit.disabled = true;
          try {
            if (isNew) await api('POST', `${base}/segments`, { name: name.value.trim(), ...body });
            else await api('PATCH', `${base}/segments/${enc(segment.name)}`, body);
            replace(segmentEditorSlot);
            say(`Saved the segment ${isNew ? name.value.trim() : segment.name}.`);
            await afterWrite();
          } catch (err) {
            replace(message, errorBox(err));
            const m = /^rules\[(\d+)\](?:\.(\w+))?/.exec(err.details?.field ?? '');
            const row = m && rules[Number(m[1])];
            const control = row
              ? { attribute: row.attribute, operator: row.operator, value: row.value, values: row.value }[m[2]] ?? row.attribute
              : { name, description, match }[err.details?.field];
            if (control) {
              control.setAttribute('aria-invalid', 'true');
              control.focus();
            }
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('h3', { id: titleId }, isNew ? 'Add a segment' : `Edit segment ${segment.name}`),
      h(
        'div',
        { class: 'form-grid' },
        field('Name', name, isNew ? 'Lower-case letters, digits, _ or -.' : 'The name cannot be changed.'),
        field('Description (optional)', description),
        field('Match', match),
      ),
      h('fieldset', {}, h('legend', {}, 'Rules'), noRules, ruleList, addRule),
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => replace(segmentEditorSlot) }, 'Cancel'),
      ),
      message,
    );
    redraw();
    replace(segmentEditorSlot, h('div', { class: 'panel highlight' }, form));
    (isNew ? name : description).focus();
  }

  // -------------------------------------------------------------- preview

  function previewPanel() {
    const listId = uid('platforms');
    const platform = h('input', { type: 'text', name: 'preview-platform', list: listId, autocomplete: 'off', spellcheck: 'false' });
    const appVersion = h('input', { type: 'text', name: 'preview-app-version', autocomplete: 'off', spellcheck: 'false', placeholder: '2.1.0' });
    const userId = h('input', { type: 'text', name: 'preview-user-id', autocomplete: 'off', spellcheck: 'false' });
    const country = h('input', { type: 'text', name: 'preview-country', autocomplete: 'off', spellcheck: 'false', maxlength: '256', placeholder: 'DE' });
    const result = h('div', { class: 'preview-result', 'aria-live': 'polite' }, loading('Evaluating…'));
    let seq = 0;
    let timer = null;

    async function refresh() {
      const mine = ++seq;
      const q = new URLSearchParams();
      if (platform.value.trim()) q.set('platform', platform.value.trim());
      if (appVersion.value.trim()) q.set('app_version', appVersion.value.trim());
      if (userId.value.trim()) q.set('user_id', userId.value.trim());
      if (country.value.trim()) q.set('country', country.value.trim());
      try {
        const data = await api('GET', `${base}/config/preview${q.toString() ? `?${q}` : ''}`);
        if (mine !== seq || !scope.alive) return;
        const rows = Object.entries(data.config ?? {});
        replace(
          result,
          table(
            [
              { label: 'Key', cell: ([k]) => h('code', {}, k) },
              { label: 'Value', class: 'wrap', cell: ([, v]) => h('code', { class: 'preview-value' }, JSON.stringify(v)) },
            ],
            rows,
            { empty: 'This project has no config keys: a client gets {}.', caption: 'Preview: the values this context receives' },
          ),
          data.etag ? h('p', { class: 'hint' }, 'ETag ', h('code', {}, data.etag)) : null,
        );
        // Each row names its key (data-key), for tests.
        result.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-key', rows[i][0]));
      } catch (err) {
        if (mine === seq && scope.alive) replace(result, errorBox(err));
      }
    }

    const onInput = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
      scope.timers.add(timer);
    };
    for (const input of [platform, appVersion, userId, country]) input.addEventListener('input', onInput);

    const node = h(
      'div',
      {},
      h('p', { class: 'hint' }, 'What an app with this context receives from GET /v1/client/config, evaluated by the server. It updates as you type and after every save.'),
      h(
        'form',
        {
          class: 'form-grid',
          role: 'search',
          'aria-label': 'Preview context',
          onsubmit: (event) => {
            event.preventDefault();
            refresh();
          },
        },
        field('Platform', platform, 'e.g. ios, android, web'),
        field('App version', appVersion),
        field('User id', userId, 'Needed for percentage rollouts.'),
        field('Country (optional)', country),
        h('datalist', { id: listId }, ['ios', 'android', 'web'].map((p) => h('option', { value: p }))),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Evaluate')),
      ),
      result,
    );
    return { node, refresh };
  }

  // -------------------------------------------------------------- versions

  let versions = [];
  async function loadVersions(cursor) {
    try {
      const page = await api('GET', `${base}/config/versions?limit=20${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      if (!scope.alive) return;
      versions = cursor ? versions.concat(page) : page;
      const current = versions[0]?.version;
      replace(
        versionsSlot,
        table(
          [
            { label: 'Version', cell: (v) => [String(v.version), v.version === current ? [' ', h('span', { class: 'badge ok' }, 'current')] : null] },
            { label: 'When', cell: (v) => timeCell(v.created_at) },
            { label: 'Change', cell: (v) => h('code', {}, v.operation) },
            { label: 'By', cell: (v) => v.principal?.credential_type ?? 'the server' },
            {
              label: 'What',
              class: 'wrap',
              cell: (v) =>
                h(
                  'div',
                  { class: 'chips' },
                  (v.changes ?? []).slice(0, 8).map((c) => h('span', { class: 'chip' }, `${c.kind} ${c.name} ${c.change}`)),
                  (v.changes ?? []).length > 8 ? h('span', { class: 'muted' }, `+${v.changes.length - 8} more`) : null,
                  v.restored ? h('span', { class: 'muted' }, `restored version ${v.restored}`) : null,
                ),
            },
            {
              label: 'Actions',
              cell: (v) =>
                v.version === current
                  ? ''
                  : h(
                      'button',
                      { type: 'button', class: 'secondary small', 'aria-label': `Roll back to version ${v.version}`, onclick: () => rollback(v) },
                      'Roll back',
                    ),
            },
          ],
          versions,
          { empty: 'No versions yet: the config has never been written.', caption: 'Config versions' },
        ),
      );
      const next = page.nextCursor;
      replace(versionsMore, next ? h('button', { type: 'button', class: 'secondary', onclick: () => loadVersions(next) }, 'Older versions') : null);
    } catch (err) {
      if (scope.alive) replace(versionsSlot, errorBox(err));
    }
  }

  async function rollback(v) {
    const ok = await confirmAction(
      `Make the config of version ${v.version} current again? Keys and segments added since are removed and changed ones restored, as a new version.`,
      { confirmLabel: 'Roll back', title: `Roll back to version ${v.version}?`, danger: false },
    );
    if (!ok) return;
    try {
      const made = await api('POST', `${base}/config/versions/${enc(v.version)}/rollback`);
      say(`Rolled back to version ${v.version}: the config is now version ${made?.version ?? '?'}.`);
      replace(editorSlot);
      replace(segmentEditorSlot);
      await afterWrite();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  await Promise.all([loadKeys(), loadSegments(), loadVersions()]);
  preview.refresh();
}
