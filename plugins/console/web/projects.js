// Projects: #/projects (the list, create, provisioning status until active, retry a
// failed provision) and #/projects/:projectId (details, project API keys, archive,
// delete, links to the project's remote config and secrets).
// REST: /v1/admin/projects (docs/api/projects.md).
import {
  ApiError,
  api,
  confirmAction,
  copyButton,
  errorBox,
  field,
  h,
  loading,
  navigate,
  notice,
  onLeave,
  pageHeader,
  replace,
  table,
  timeCell,
  uid,
} from './lib.js';

const BASE = '/v1/admin/projects';
const enc = encodeURIComponent;

export const projectPath = (id) => `${BASE}/${enc(id)}`;

const STATUS = {
  not_provisioned: ['Not provisioned', ''],
  provisioning: ['Provisioning…', 'warn'],
  active: ['Active', 'ok'],
  failed: ['Failed', 'bad'],
};

/** A provisioning status as a badge. */
export function statusBadge(status) {
  const [label, kind] = STATUS[status] ?? [status ?? '—', ''];
  return h('span', { class: ['badge', kind], 'data-status': status }, label);
}

/**
 * The page's timers: every poll stops when the user leaves the page (lib.js onLeave),
 * and also after a 401 (the sign-in form replaced the page).
 */
export function pageScope() {
  const scope = {
    alive: true,
    timers: new Set(),
    /** Runs fn now and again every ms after it settles, while it returns something other than false. */
    poll(fn, ms) {
      let stopped = false;
      let timer = null;
      const tick = async () => {
        timer = null;
        if (stopped || !scope.alive) return;
        let again = true;
        try {
          again = (await fn()) !== false;
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) again = false;
        }
        if (again && !stopped && scope.alive) {
          timer = setTimeout(tick, ms);
          scope.timers.add(timer);
        }
      };
      tick();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    },
    /** fn after ms (once), unless the page was left. */
    later(fn, ms) {
      const timer = setTimeout(() => {
        scope.timers.delete(timer);
        if (scope.alive) fn();
      }, ms);
      scope.timers.add(timer);
    },
  };
  onLeave(() => {
    scope.alive = false;
    for (const t of scope.timers) clearTimeout(t);
    scope.timers.clear();
  });
  return scope;
}

/** Label/value pairs as a two-column table (row headers); long values wrap, and it scrolls when narrow. */
export function propsTable(caption, pairs) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'data props' },
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'tbody',
        {},
        pairs.filter(Boolean).map(([label, value]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'wrap' }, value ?? '—'))),
      ),
    ),
  );
}

/** The links between a project's pages (overview, remote config, secrets). */
export function projectNav(projectId, current) {
  const base = `#/projects/${enc(projectId)}`;
  const link = (href, label, key) =>
    h('a', { href, class: current === key ? 'button' : 'button secondary', 'aria-current': current === key ? 'page' : null }, label);
  return h(
    'nav',
    { class: 'pager subnav', 'aria-label': 'Project pages' },
    link('#/projects', 'All projects', 'all'),
    link(base, 'Overview', 'overview'),
    link(`${base}/config`, 'Remote config', 'config'),
    link(`${base}/secrets`, 'Secrets', 'secrets'),
  );
}

/**
 * Plaintext keys shown once: [{label, key}], with copy buttons and the warning (or another
 * text). The button removes the box (the keys are then gone from the page) and calls onDone.
 */
export function showOnce(title, keys, onDone, warning) {
  const titleId = uid('once');
  const box = h(
    'section',
    { class: 'panel highlight once', 'aria-labelledby': titleId, tabindex: '-1' },
    h('h2', { id: titleId }, title),
    notice(
      warning ??
        (keys.length > 1
          ? 'Copy these keys now: you will not see them again. Only their prefixes are kept.'
          : 'Copy this key now: you will not see it again. Only its prefix is kept.'),
      'warning',
    ),
    h(
      'dl',
      { class: 'once-keys' },
      keys.map(({ label, key }) => [
        h('dt', {}, label),
        h('dd', {}, h('code', { class: 'secret-value', 'data-once-key': label }, key), ' ', copyButton(key, `Copy ${label.toLowerCase()}`)),
      ]),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            box.remove();
            onDone?.();
          },
        },
        keys.length > 1 ? 'I have copied the keys' : 'I have copied the key',
      ),
    ),
  );
  return box;
}

export async function render(root, route) {
  const scope = pageScope();
  const projectId = route?.params?.projectId;
  if (projectId) return renderDetail(root, projectId, scope);
  return renderList(root, scope);
}

// ---------------------------------------------------------------- the list

async function renderList(root, scope) {
  const created = h('div', { class: 'created-slot' });
  const listSlot = h('div', { class: 'list-slot' }, loading('Loading projects…'));
  const moreSlot = h('div', { class: 'actions' });
  const listTitle = uid('t');
  let rows = [];
  const rowPollers = new Map();

  replace(
    root,
    pageHeader('Projects', 'Each project has its own API keys, remote config and secrets.'),
    createForm(),
    created,
    h('section', { class: 'panel', 'aria-labelledby': listTitle }, h('h2', { id: listTitle }, 'All projects'), listSlot, moreSlot),
  );

  function createForm() {
    const titleId = uid('t');
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
    const bundle = h('input', { type: 'text', name: 'bundle_id', maxlength: '255', autocomplete: 'off', placeholder: 'com.example.app' });
    const platform = h(
      'select',
      { name: 'platform' },
      h('option', { value: 'all' }, 'All platforms'),
      h('option', { value: 'ios' }, 'iOS'),
      h('option', { value: 'android' }, 'Android'),
    );
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create project');
    const form = h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          submit.disabled = true;
          try {
            const body = { name: name.value.trim(), platform: platform.value };
            if (bundle.value.trim()) body.bundle_id = bundle.value.trim();
            const data = await api('POST', BASE, body);
            form.reset();
            showCreated(data);
            loadList();
          } catch (err) {
            replace(message, errorBox(err));
            if (err.details?.field === 'name') name.focus();
            else if (err.details?.field === 'bundle_id') bundle.focus();
          } finally {
            submit.disabled = false;
          }
        },
      },
      h(
        'div',
        { class: 'form-grid' },
        field('Name', name),
        field('Bundle id (optional)', bundle, 'The mobile app’s bundle id.'),
        field('Platform', platform),
      ),
      h('div', { class: 'actions' }, submit),
      message,
    );
    return h('section', { class: 'panel', 'aria-labelledby': titleId }, h('h2', { id: titleId }, 'Create a project'), form);
  }

  function showCreated(data) {
    const project = data.project;
    const keys = [];
    if (data.api_keys?.client) keys.push({ label: 'Client key', key: data.api_keys.client.key });
    if (data.api_keys?.server) keys.push({ label: 'Server key', key: data.api_keys.server.key });
    const statusSlot = h('div', { class: 'provisioning', 'data-project-id': project.id });
    const box = showOnce(`Project “${project.name}” created`, keys, () => stop?.());
    box.querySelector('h2').after(
      h('p', {}, h('a', { href: `#/projects/${enc(project.id)}` }, 'Open the project'), ' · ', h('code', {}, project.id)),
      statusSlot,
    );
    replace(created, box);
    box.focus();
    const stop = watchProvisioning(scope, project.id, statusSlot, data.provisioning_status, () => loadList());
  }

  async function loadList(cursor) {
    if (!cursor) {
      for (const stop of rowPollers.values()) stop();
      rowPollers.clear();
    }
    try {
      const page = await api('GET', `${BASE}?limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      if (!scope.alive) return;
      rows = cursor ? rows.concat(page) : page;
      replace(
        listSlot,
        table(
          [
            { label: 'Name', cell: (p) => h('a', { href: `#/projects/${enc(p.id)}` }, p.name) },
            { label: 'Platform', cell: (p) => p.platform },
            { label: 'Provisioning', cell: (p) => rowStatus(p) },
            { label: 'Archived', cell: (p) => (p.archived ? h('span', { class: 'badge' }, 'Archived') : 'No') },
            { label: 'Created', cell: (p) => timeCell(p.created_at) },
          ],
          rows,
          { empty: 'No projects yet. Create the first one above.', caption: 'Projects' },
        ),
      );
      const next = page.nextCursor;
      replace(
        moreSlot,
        next ? h('button', { type: 'button', class: 'secondary', onclick: () => loadList(next) }, 'Load more') : null,
      );
    } catch (err) {
      if (scope.alive) replace(listSlot, errorBox(err));
    }
  }

  // A row's status; a row that is still provisioning is watched until it settles.
  function rowStatus(p) {
    const slot = h('div', { class: 'provisioning', 'data-project-id': p.id });
    if (p.provisioning_status === 'active') {
      replace(slot, statusBadge('active'));
    } else if (!rowPollers.has(p.id)) {
      rowPollers.set(p.id, watchProvisioning(scope, p.id, slot, p.provisioning_status, null, true));
    }
    return slot;
  }

  await loadList();
}

/**
 * Shows a project's provisioning status in slot and polls GET …/provisioning-status every
 * second while it is provisioning. A failed (or never provisioned) project gets a retry
 * button (POST …/reprovision). onSettled(status) runs when it stops provisioning.
 * Returns a function that stops the polling.
 */
export function watchProvisioning(scope, projectId, slot, initialStatus, onSettled, compact = false) {
  let stop = null;
  let stopped = false;
  let last = initialStatus;
  const start = () => {
    stop?.();
    stop = scope.poll(async () => {
      if (stopped) return false;
      const s = await api('GET', `${projectPath(projectId)}/provisioning-status`);
      if (stopped || !scope.alive) return false;
      renderStatus(slot, s, projectId, scope, retry, compact);
      const settled = s.status !== 'provisioning';
      if (settled && last !== s.status) onSettled?.(s.status);
      last = s.status;
      return !settled;
    }, 1000);
  };
  const retry = () => start();
  renderStatus(slot, { status: initialStatus }, projectId, scope, retry, compact);
  start();
  return () => {
    stopped = true;
    stop?.();
  };
}

/** The status badge, the failure, and the retry button. */
function renderStatus(slot, s, projectId, scope, restart, compact) {
  const parts = [h('span', { class: 'status-live', role: 'status', 'aria-live': 'polite' }, statusBadge(s.status))];
  if (s.status === 'failed' && s.error) {
    parts.push(
      h(
        'p',
        { class: 'status-error' },
        s.error.step ? h('span', {}, 'Step ', h('code', {}, s.error.step), ': ') : null,
        s.error.message,
      ),
    );
  }
  if (!compact && s.status === 'active' && s.provisioned_at) {
    parts.push(h('span', { class: 'muted' }, ' since ', timeCell(s.provisioned_at), s.region ? ` in region ${s.region}` : ''));
  }
  if (s.status === 'failed' || s.status === 'not_provisioned') {
    const message = h('div', { class: 'form-message' });
    const button = h(
      'button',
      {
        type: 'button',
        class: compact ? 'secondary small' : 'primary',
        onclick: async () => {
          button.disabled = true;
          replace(message);
          try {
            await api('POST', `${projectPath(projectId)}/reprovision`);
            renderStatus(slot, { status: 'provisioning' }, projectId, scope, restart, compact);
            restart?.();
          } catch (err) {
            button.disabled = false;
            replace(message, errorBox(err));
          }
        },
      },
      s.status === 'failed' ? 'Retry provisioning' : 'Provision',
    );
    parts.push(' ', button, message);
  }
  replace(slot, parts);
}

// ---------------------------------------------------------------- one project

async function renderDetail(root, projectId, scope) {
  replace(root, loading('Loading the project…'));
  let project;
  try {
    project = await api('GET', projectPath(projectId));
  } catch (err) {
    replace(root, pageHeader('Project'), projectNav(projectId, 'overview'), errorBox(err));
    return;
  }
  if (!scope.alive) return;

  const heading = h('h1', { tabindex: '-1' }, project.name);
  const intro = h('p', { class: 'intro' }, h('code', {}, project.id));
  const pageMessage = h('div', { class: 'page-message' });
  const statusSlot = h('div', { class: 'provisioning', 'data-project-id': project.id });
  const detailsSlot = h('div');
  const onceSlot = h('div');
  const keysSlot = h('div');
  const dangerSlot = h('div', { class: 'actions' });
  const t = { status: uid('t'), details: uid('t'), keys: uid('t'), danger: uid('t') };

  replace(
    root,
    h('header', { class: 'page-header' }, h('div', {}, heading, intro)),
    projectNav(projectId, 'overview'),
    pageMessage,
    h('section', { class: 'panel', 'aria-labelledby': t.status }, h('h2', { id: t.status }, 'Provisioning'), statusSlot),
    h('section', { class: 'panel', 'aria-labelledby': t.details }, h('h2', { id: t.details }, 'Details'), detailsSlot),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.keys },
      h('h2', { id: t.keys }, 'Project API keys'),
      h('p', { class: 'intro' }, 'Client keys are for apps, server keys for backends. A key is shown once, when it is minted.'),
      mintForm(),
      onceSlot,
      keysSlot,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.danger },
      h('h2', { id: t.danger }, 'Archive or delete'),
      dangerSlot,
    ),
  );

  watchProvisioning(scope, projectId, statusSlot, project.provisioning_status, () => reload());
  draw();

  async function reload() {
    try {
      const fresh = await api('GET', projectPath(projectId));
      if (!scope.alive) return;
      project = fresh;
      draw();
    } catch (err) {
      if (scope.alive) replace(pageMessage, errorBox(err));
    }
  }

  function say(text, kind = 'success') {
    replace(pageMessage, notice(text, kind));
  }

  function draw() {
    heading.textContent = project.name;
    replace(detailsSlot, detailsList(), editForm());
    replace(
      keysSlot,
      table(
        [
          { label: 'Prefix', cell: (k) => h('code', {}, `${k.key_prefix}…`) },
          { label: 'Type', cell: (k) => k.key_type },
          { label: 'Environment', cell: (k) => k.environment },
          {
            label: 'State',
            cell: (k) =>
              k.is_active ? h('span', { class: 'badge ok' }, 'Active') : h('span', { class: 'badge bad' }, 'Revoked'),
          },
          { label: 'Created', cell: (k) => timeCell(k.created_at) },
          { label: 'Last used', cell: (k) => (k.last_used_at ? timeCell(k.last_used_at) : 'never') },
          { label: 'Revoked', cell: (k) => timeCell(k.revoked_at) },
          {
            label: 'Actions',
            cell: (k) =>
              k.is_active
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger-text small',
                      'aria-label': `Revoke key ${k.key_prefix}`,
                      onclick: () => revokeKey(k),
                    },
                    'Revoke',
                  )
                : '',
          },
        ],
        project.api_keys ?? [],
        { empty: 'This project has no keys. Mint one above.', caption: 'Project API keys' },
      ),
    );
    replace(
      dangerSlot,
      project.archived
        ? h('button', { type: 'button', class: 'secondary', onclick: unarchive }, 'Unarchive')
        : h('button', { type: 'button', class: 'secondary', onclick: archive }, 'Archive'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete project'),
      h(
        'p',
        { class: 'hint' },
        project.archived
          ? 'Archived since ' + (project.archived_at ? new Date(project.archived_at).toLocaleString() : '—') + ': its keys are refused until you unarchive it.'
          : 'Archiving keeps the project but refuses its keys; deleting removes the project and its keys for good.',
      ),
    );
  }

  function detailsList() {
    return propsTable('Project details', [
      ['Id', h('code', {}, project.id)],
      ['Platform', project.platform],
      ['Bundle id', project.bundle_id],
      ['Environment label', project.environment],
      ['Region', project.region],
      ['Archived', project.archived ? h('span', { class: 'badge' }, 'Archived') : 'No'],
      ['Created', timeCell(project.created_at)],
      ['Updated', timeCell(project.updated_at)],
    ]);
  }

  function editForm() {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', value: project.name });
    const bundle = h('input', { type: 'text', name: 'bundle_id', maxlength: '255', value: project.bundle_id ?? '' });
    const platform = h(
      'select',
      { name: 'platform' },
      ['all', 'ios', 'android'].map((p) => h('option', { value: p, selected: project.platform === p }, p === 'all' ? 'All platforms' : p === 'ios' ? 'iOS' : 'Android')),
    );
    const env = h('input', { type: 'text', name: 'environment', maxlength: '255', value: project.environment ?? '' });
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'secondary' }, 'Save details');
    return h(
      'details',
      { class: 'edit' },
      h('summary', {}, 'Edit details'),
      h(
        'form',
        {
          onsubmit: async (event) => {
            event.preventDefault();
            submit.disabled = true;
            replace(message);
            try {
              await api('PATCH', projectPath(projectId), {
                name: name.value.trim(),
                bundle_id: bundle.value.trim() || null,
                platform: platform.value,
                environment: env.value.trim() || null,
              });
              say('The details were saved.');
              await reload();
            } catch (err) {
              replace(message, errorBox(err));
            } finally {
              submit.disabled = false;
            }
          },
        },
        h(
          'div',
          { class: 'form-grid' },
          field('Name', name),
          field('Bundle id', bundle),
          field('Platform', platform),
          field('Environment label', env, 'Free text, e.g. staging (optional).'),
        ),
        h('div', { class: 'actions' }, submit),
        message,
      ),
    );
  }

  function mintForm() {
    const type = h('select', { name: 'key_type' }, h('option', { value: 'client' }, 'Client (apps)'), h('option', { value: 'server' }, 'Server (backends)'));
    const env = h(
      'select',
      { name: 'environment' },
      h('option', { value: 'development' }, 'Development'),
      h('option', { value: 'production' }, 'Production'),
    );
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Mint key');
    return h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          submit.disabled = true;
          replace(message);
          try {
            const k = await api('POST', `${projectPath(projectId)}/api-keys`, { key_type: type.value, environment: env.value });
            const box = showOnce(`New ${k.type} key (${k.environment})`, [{ label: `${k.type === 'server' ? 'Server' : 'Client'} key`, key: k.key }]);
            replace(onceSlot, box);
            box.focus();
            await reload();
          } catch (err) {
            replace(message, errorBox(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('div', { class: 'form-grid' }, field('Key type', type), field('Environment', env)),
      h('div', { class: 'actions' }, submit),
      message,
    );
  }

  async function revokeKey(k) {
    const ok = await confirmAction(`Revoke the ${k.key_type} key ${k.key_prefix}…? Apps using it are refused from their next request.`, {
      confirmLabel: 'Revoke key',
      title: 'Revoke this key?',
    });
    if (!ok) return;
    try {
      await api('DELETE', `${projectPath(projectId)}/api-keys/${enc(k.id)}`);
      say(`The key ${k.key_prefix}… was revoked.`);
      await reload();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  async function archive() {
    const ok = await confirmAction(`Archive “${project.name}”? Its API keys are refused until you unarchive it; nothing is deleted.`, {
      confirmLabel: 'Archive',
      title: 'Archive this project?',
    });
    if (!ok) return;
    try {
      await api('POST', `${projectPath(projectId)}/archive`);
      say('The project is archived.');
      await reload();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  async function unarchive() {
    try {
      await api('POST', `${projectPath(projectId)}/unarchive`);
      say('The project is no longer archived.');
      await reload();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  async function remove() {
    const ok = await confirmAction(
      `Delete “${project.name}” and all its API keys? Apps using them are refused at once. This cannot be undone.`,
      { confirmLabel: 'Delete project', title: 'Delete this project?' },
    );
    if (!ok) return;
    try {
      await api('DELETE', projectPath(projectId));
      navigate('#/projects');
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }
}

/** For the sub-pages: the project's name for their header, or null (the error is theirs to show). */
export async function projectName(projectId) {
  try {
    const p = await api('GET', projectPath(projectId));
    return p.name;
  } catch {
    return null;
  }
}
