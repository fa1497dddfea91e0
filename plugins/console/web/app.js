// The console's shell: the session, the sign-in form, the header (workspace switcher, user,
// sign out), the navigation and a hash router that loads each page's module on demand.
import * as lib from './lib.js';
import {
  ApiError,
  api,
  errorBox,
  h,
  loading,
  notice,
  onUnauthorized,
  runLeaveHandlers,
  session,
  setSession,
} from './lib.js';

// Routes: the hash path (without its ?query) -> the page module. Params are named groups.
const ROUTES = [
  { path: /^\/keys$/, module: './keys.js', nav: '#/keys', title: 'API keys' },
  { path: /^\/projects$/, module: './projects.js', nav: '#/projects', title: 'Projects' },
  { path: /^\/projects\/(?<projectId>[^/]+)$/, module: './projects.js', nav: '#/projects', title: 'Project' },
  { path: /^\/projects\/(?<projectId>[^/]+)\/config$/, module: './config.js', nav: '#/projects', title: 'Remote config' },
  { path: /^\/projects\/(?<projectId>[^/]+)\/secrets$/, module: './secrets.js', nav: '#/projects', title: 'Secrets' },
  { path: /^\/members$/, module: './members.js', nav: '#/members', title: 'Members' },
  { path: /^\/audit$/, module: './audit.js', nav: '#/audit', title: 'Audit log' },
  { path: /^\/oauth$/, module: './oauth.js', nav: '#/oauth', title: 'OAuth apps' },
  { path: /^\/attestation$/, module: './attestation.js', nav: '#/attestation', title: 'Attestation' },
  { path: /^\/page\/(?<n>\d+)$/, plugin: true, title: 'Plugin page' },
];

const NAV = [
  ['#/keys', 'API keys'],
  ['#/projects', 'Projects'],
  ['#/members', 'Members'],
  ['#/audit', 'Audit log'],
  ['#/oauth', 'OAuth apps'],
  ['#/attestation', 'Attestation'],
];

const DEFAULT_HASH = '#/keys';
const app = document.getElementById('app');
let shell = null; // {nav, mainSlot} while signed in
let renderToken = 0;
let firstRoute = true;

// --- session -----------------------------------------------------------------------------------

onUnauthorized(() => {
  if (!session()) return;
  setSession(null);
  showSignIn({ message: 'Your session has ended. Sign in again.' });
});

async function boot() {
  try {
    const s = await api('GET', '/console/api/session');
    setSession(s);
    showShell();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showSignIn();
    } else {
      app.replaceChildren(
        h(
          'div',
          { class: 'signin' },
          h(
            'main',
            { id: 'main' },
            h('h1', {}, 'ambit console'),
            errorBox(err),
            h('button', { type: 'button', onclick: () => boot() }, 'Try again'),
          ),
        ),
      );
    }
  }
}

// --- the sign-in form --------------------------------------------------------------------------

function showSignIn({ message } = {}) {
  runLeaveHandlers();
  shell = null;
  renderToken += 1;
  document.title = 'Sign in · ambit console';
  const email = h('input', { type: 'email', name: 'email', id: 'signin-email', autocomplete: 'username', required: true, maxlength: '254' });
  const password = h('input', { type: 'password', name: 'password', id: 'signin-password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const status = h('div', { class: 'signin-status', 'aria-live': 'polite' }, message ? notice(message, 'info') : null);
  let countdown = null;

  const form = h(
    'form',
    {
      class: 'panel',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        if (!email.value.trim() || !password.value) {
          status.replaceChildren(notice('Enter your email and your password.', 'error'));
          (email.value.trim() ? password : email).focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        status.replaceChildren();
        try {
          const s = await api('POST', '/console/api/sign-in', { email: email.value.trim(), password: password.value });
          clearInterval(countdown);
          setSession(s);
          showShell({ focus: true });
        } catch (err) {
          submit.textContent = 'Sign in';
          submit.disabled = false;
          password.value = '';
          status.replaceChildren(signInError(err));
          if (err instanceof ApiError && err.status === 429 && err.retryAfter) {
            let left = Number.parseInt(err.retryAfter, 10) || 1;
            submit.disabled = true;
            submit.textContent = `Sign in (wait ${left} s)`;
            clearInterval(countdown);
            countdown = setInterval(() => {
              left -= 1;
              if (left <= 0) {
                clearInterval(countdown);
                submit.disabled = false;
                submit.textContent = 'Sign in';
              } else {
                submit.textContent = `Sign in (wait ${left} s)`;
              }
            }, 1000);
          }
          password.focus();
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'intro' }, 'to the ambit console, with your email and password.'),
    status,
    lib.field('Email', email),
    lib.field('Password', password),
    submit,
  );
  app.replaceChildren(h('div', { class: 'signin' }, h('main', { id: 'main' }, form)));
  email.focus();
}

function signInError(err) {
  if (!(err instanceof ApiError)) return errorBox(err);
  const say = (text) =>
    h('div', { class: 'state error', role: 'alert' }, text, ' ', h('span', { class: 'code' }, `(${err.status} ${err.code})`));
  switch (err.status) {
    case 401:
      return say('Wrong email or password.');
    case 429:
      return say(
        err.retryAfter
          ? `Too many attempts. Wait ${err.retryAfter} s before trying again.`
          : `Too many attempts. ${err.message}`,
      );
    case 403:
      return say(err.code === 'NO_WORKSPACE' ? 'Your account belongs to no workspace yet.' : err.message);
    default:
      return errorBox(err);
  }
}

// --- the signed-in shell -----------------------------------------------------------------------

function showShell({ focus = false } = {}) {
  const s = session();
  const navList = h('ul', {});
  const nav = h('nav', { class: 'nav', id: 'nav', 'aria-label': 'Main' }, navList);
  const menu = h(
    'button',
    {
      type: 'button',
      class: 'secondary menu-toggle',
      'aria-expanded': 'false',
      'aria-controls': 'nav',
      onclick: () => setMenu(!nav.classList.contains('open')),
    },
    'Menu',
  );
  const setMenu = (open) => {
    nav.classList.toggle('open', open);
    menu.setAttribute('aria-expanded', String(open));
  };
  nav.addEventListener('click', (event) => {
    if (event.target.closest('a')) setMenu(false);
  });

  for (const [href, label] of NAV) navList.append(h('li', {}, h('a', { href }, label)));
  const pages = Array.isArray(s.pages) ? s.pages : [];
  if (pages.length) {
    navList.append(h('li', { class: 'nav-section', 'aria-hidden': 'true' }, 'Plugins'));
    pages.forEach((p, i) => navList.append(h('li', {}, h('a', { href: `#/page/${i}` }, p.title || `Page ${i + 1}`))));
  }

  const mainSlot = h('main', { id: 'main', tabindex: '-1' });
  const skip = h(
    'a',
    {
      class: 'skip-link',
      href: '#main',
      onclick: (event) => {
        event.preventDefault();
        const main = document.getElementById('main');
        (main.querySelector('h1') ?? main).focus();
      },
    },
    'Skip to content',
  );
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: DEFAULT_HASH }, 'ambit ', h('span', {}, 'console')),
    menu,
    workspaceSwitcher(s),
    h(
      'div',
      { class: 'user' },
      h('span', { class: 'email', title: s.user?.email ?? '' }, s.user?.email ?? ''),
      h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign out'),
    ),
  );
  const root = h('div', { class: 'shell' }, skip, header, nav, mainSlot);
  app.replaceChildren(root);
  shell = { nav, root, mainSlot };
  firstRoute = !focus;
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', DEFAULT_HASH);
  route();
}

function workspaceSwitcher(s) {
  const workspaces = Array.isArray(s.workspaces) ? s.workspaces : [];
  if (workspaces.length <= 1) {
    return h(
      'div',
      { class: 'workspace' },
      h('span', { class: 'muted' }, 'Workspace:'),
      h('strong', {}, s.tenant?.name ?? ''),
      h('span', { class: 'badge' }, s.role ?? ''),
    );
  }
  const select = h(
    'select',
    {
      id: 'workspace-select',
      onchange: async () => {
        const previous = session().tenant?.id;
        select.disabled = true;
        try {
          const next = await api('POST', '/console/api/session/workspace', { tenant_id: select.value });
          setSession(next);
          runLeaveHandlers();
          // A project of the old workspace does not exist in the new one.
          if (/^#\/projects\/.+/.test(location.hash)) history.replaceState(null, '', '#/projects');
          showShell({ focus: true });
        } catch (err) {
          select.value = previous;
          select.disabled = false;
          const main = document.getElementById('main');
          main?.prepend(errorBox(err));
        }
      },
    },
    workspaces.map((w) =>
      h('option', { value: w.tenant_id, selected: w.tenant_id === s.tenant?.id }, `${w.name} (${w.role})`),
    ),
  );
  return h('div', { class: 'workspace' }, h('label', { for: 'workspace-select' }, 'Workspace'), select);
}

async function signOut(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api('POST', '/console/api/sign-out');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      button.disabled = false;
      document.getElementById('main')?.prepend(errorBox(err));
      return;
    }
  }
  setSession(null);
  showSignIn({ message: 'You have signed out.' });
}

// --- the router --------------------------------------------------------------------------------

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : DEFAULT_HASH.slice(1);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return { path, query };
}

async function route() {
  if (!shell || !session()) return;
  runLeaveHandlers();
  const token = ++renderToken;
  const { path, query } = parseHash();
  let match = null;
  let params = {};
  for (const r of ROUTES) {
    const m = r.path.exec(path);
    if (m) {
      match = r;
      params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      break;
    }
  }

  // A fresh <main> per page: a page still loading after the user left writes into a detached node.
  const main = h('main', { id: 'main', tabindex: '-1' });
  shell.mainSlot.replaceWith(main);
  shell.mainSlot = main;
  for (const a of shell.nav.querySelectorAll('a')) {
    const current = match && (a.getAttribute('href') === (match.plugin ? `#/page/${params.n}` : match.nav));
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  const focusHeading = !firstRoute;
  firstRoute = false;
  if (!match) {
    document.title = 'Not found · ambit console';
    main.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, 'No page has this address. ', h('a', { href: DEFAULT_HASH }, 'Go to API keys')));
    if (focusHeading) main.querySelector('h1').focus();
    return;
  }

  document.title = `${match.title} · ambit console`;
  main.append(loading());
  try {
    let render;
    let arg;
    if (match.plugin) {
      const page = (session().pages ?? [])[Number(params.n)];
      if (!page) throw new Error('This plugin page does not exist.');
      document.title = `${page.title} · ambit console`;
      const script = new URL(page.script, location.href);
      if (script.origin !== location.origin) throw new Error('A plugin page must be served by this server.');
      const mod = await import(script.href);
      render = mod.render;
      arg = { ...lib, route: { path, params, query } };
    } else {
      const mod = await import(match.module);
      render = mod.render;
      arg = { path, params, query };
    }
    if (token !== renderToken) return;
    if (typeof render !== 'function') throw new Error('This page has no render function.');
    main.replaceChildren();
    const rendering = render(main, arg);
    if (focusHeading) requestAnimationFrame(() => focusFirstHeading(main, token));
    await rendering;
    if (focusHeading && token === renderToken) focusFirstHeading(main, token);
  } catch (err) {
    if (token !== renderToken) return;
    if (err instanceof ApiError && err.status === 401) return; // the sign-in form is showing
    console.error(err);
    main.replaceChildren(h('h1', { tabindex: '-1' }, match.title), errorBox(err));
  }
}

function focusFirstHeading(main, token) {
  if (token !== renderToken || !main.isConnected) return;
  if (main.contains(document.activeElement) && document.activeElement !== main) return;
  const heading = main.querySelector('h1');
  if (heading) {
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  } else {
    main.focus();
  }
}

window.addEventListener('hashchange', () => {
  if (!location.hash.startsWith('#/')) return; // e.g. the skip link: not a route
  route();
});

boot();
