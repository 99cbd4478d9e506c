// Browser end-to-end test of publishing, and an accessibility check of the main pages, in
// headless Debian Chromium driven by playwright-core (no browser download).
//
// Usage: node publish.mjs BASE_URL DATA_DIR
//   BASE_URL  a running `gongkai serve --demo`, e.g. http://127.0.0.1:8080
//   DATA_DIR  its data directory (the demo passwords are read from demo-logins.txt)
// Exit status 0 when every step passed and no page has serious or critical axe violations.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [base, dataDir] = process.argv.slice(2);
if (!base || !dataDir) {
  console.error('usage: node publish.mjs BASE_URL DATA_DIR');
  process.exit(2);
}
const logins = Object.fromEntries(
  readFileSync(`${dataDir}/demo-logins.txt`, 'utf8').trim().split('\n').map((l) => {
    const parts = l.trim().split(/\s+/);
    return [parts[0], parts[2]];
  }),
);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
const failures = [];
const step = (name) => console.log(`step: ${name}`);

async function as(user, fn) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#f-username', user);
  await page.fill('#f-password', logins[user]);
  await page.click('main form button[type=submit]');
  await page.waitForURL(`${base}/admin**`);
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

const word = `无人机巡检演练${Date.now() % 100000}`;
let itemId;
try {
  step('drafter writes and submits');
  itemId = await as('jingban', async (page) => {
    await page.goto(`${base}/admin/items/new`);
    await page.selectOption('#f-column_id', { label: '公示公告' });
    await page.fill('#f-title', `关于开展${word}的通知`);
    await page.fill('#f-summary', '部署无人机巡检演练。');
    await page.fill('#f-body', `各单位：\n\n定于下月开展${word}，请做好准备。`);
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/admin\/items\/\d+\?done=created/);
    const id = Number(page.url().match(/items\/(\d+)/)[1]);
    await page.getByRole('button', { name: '送审', exact: true }).click();
    await page.waitForURL(/done=submitted/);
    return id;
  });

  for (const reviewer of ['chuzhang', 'fenguan']) {
    step(`${reviewer} approves from the task list`);
    await as(reviewer, async (page) => {
      await page.goto(`${base}/admin/tasks`);
      await page.click(`a[href="/admin/items/${itemId}"]`);
      await page.fill('#f-opinion', '同意');
      await page.getByRole('button', { name: '同意', exact: true }).click();
      await page.waitForURL(/done=approved/);
    });
  }

  step('the drafter publishes');
  await as('jingban', async (page) => {
    await page.goto(`${base}/admin/items/${itemId}`);
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.waitForURL(/done=published/);
  });

  step('the page is public and found by search');
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const resp = await page.goto(`${base}/items/${itemId}`);
  if (resp.status() !== 200) failures.push(`public page status ${resp.status()}`);
  if (!(await page.textContent('article h1')).includes(word)) failures.push('public page lacks the title');
  if (!(await page.textContent('table.catalogue')).includes('索引号')) failures.push('catalogue table missing');
  await page.goto(`${base}/`);
  await page.fill('#site-q', word);
  await page.click('form.site-search button');
  await page.waitForURL(/\/search\?/);
  const found = await page.locator(`ol.results a[href="/items/${itemId}"]`).count();
  if (found !== 1) failures.push(`search for ${word} did not find the item`);
  await context.close();
} catch (e) {
  failures.push(`flow failed: ${e.message}`);
}

step('accessibility (axe-core): no serious or critical violations');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const pages = ['/', '/agencies/2', '/login', '/search?q=%E5%AE%89%E5%85%A8'];
if (itemId) pages.push(`/items/${itemId}`);
async function axeCheck(context, paths) {
  for (const path of paths) {
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of bad) {
      failures.push(`${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
    }
    console.log(`a11y ${path}: ${result.violations.length} violations, ${bad.length} serious/critical`);
    await page.close();
  }
}
const a11y = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
await axeCheck(a11y, pages);
await a11y.close();

// The back office, signed in (the login form is filled in a CSP-bypassing context too).
async function staffContext(user) {
  const context = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#f-username', user);
  await page.fill('#f-password', logins[user]);
  await page.click('main form button[type=submit]');
  await page.waitForURL(`${base}/admin**`);
  await page.close();
  return context;
}
const staffPages = ['/admin', '/admin/tasks', '/admin/items', '/admin/items/new', '/admin/stats'];
if (itemId) staffPages.push(`/admin/items/${itemId}`);
const drafter = await staffContext('jingban');
await axeCheck(drafter, staffPages);
await drafter.close();
const adminPages = ['/admin/users', '/admin/users/new', '/admin/agencies', '/admin/agencies/2', '/admin/agencies/2/columns', '/admin/agencies/2/guide', '/admin/audit', '/admin/audit/verify'];
const admin = await staffContext('admin');
await axeCheck(admin, adminPages);
await admin.close();
pages.push(...staffPages, ...adminPages);
await browser.close();

if (failures.length) {
  console.error('FAILED:\n' + failures.join('\n'));
  process.exit(1);
}
console.log(`ok: item ${itemId} published through three sign-offs, public, found by search; ${pages.length} pages pass axe`);
