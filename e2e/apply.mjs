// Browser end-to-end test of a disclosure application, in headless Debian Chromium: the public
// submits online → the 公开办 confirms and assigns → the 经办人 asks for 补正, records the
// correction and drafts the reply → the 公开办负责人 signs it → the reply letter is produced and
// delivered → the public status page shows the case closed. axe-core checks the pages on the way.
//
// Usage: node apply.mjs BASE_URL DATA_DIR   (a running `gongkai serve --demo`)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [base, dataDir] = process.argv.slice(2);
if (!base || !dataDir) {
  console.error('usage: node apply.mjs BASE_URL DATA_DIR');
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
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const checked = [];

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const path = new URL(page.url()).pathname;
  for (const v of bad) {
    failures.push(`${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  }
  checked.push(path);
  console.log(`a11y ${path}: ${result.violations.length} violations, ${bad.length} serious/critical`);
}

async function as(user, fn) {
  const context = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
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

const press = (page, name) => page.getByRole('button', { name, exact: true }).click();
const title = `2026年应急避难场所建设资金安排${Date.now() % 100000}`;
let caseNo;
let code;
let caseUrl;
try {
  step('the public submits an application online');
  const pub = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
  const page = await pub.newPage();
  await page.goto(`${base}/apply`);
  await axe(page);
  await page.selectOption('#f-agency_id', { label: '示例市应急管理局' });
  await page.fill('#f-name', '李四');
  await page.fill('#f-id_number', '11010519491231002X');
  await page.fill('#f-phone', '13900001111');
  await page.fill('#f-email', 'lisi@example.com');
  await page.fill('#f-info_title', title);
  await page.selectOption('#f-medium', 'electronic');
  await page.selectOption('#f-delivery', 'email');
  await press(page, '提交申请');
  await page.waitForSelector('#case-no');
  caseNo = (await page.textContent('#case-no')).trim();
  code = (await page.textContent('#query-code')).trim();
  await axe(page);
  console.log(`submitted ${caseNo}`);

  step('the office confirms receipt and assigns the handler');
  caseUrl = await as('gongkaiban', async (p) => {
    await p.goto(`${base}/admin/applications`);
    await axe(p);
    await p.click(`a:text-is("${caseNo}")`);
    await p.waitForURL(/\/admin\/applications\/\d+$/);
    const url = p.url();
    await axe(p);
    await press(p, '确认收到');
    await p.waitForURL(/done=confirm_receipt/);
    await p.selectOption('#f-handler', { label: '孙经办' });
    await press(p, '分办');
    await p.waitForURL(/done=assign/);
    return url;
  });

  step('the handler asks for 补正, records the correction and drafts the reply');
  await as('jingban', async (p) => {
    await p.goto(caseUrl);
    await p.fill('#f-rc-items', '请写明所需资金安排文件的文号或印发时间');
    await press(p, '发出补正通知');
    await p.waitForURL(/done=request_correction/);
    if (!(await p.textContent('#state')).includes('待补正')) failures.push('state after 补正 is not 待补正');
    await press(p, '已收到补正');
    await p.waitForURL(/done=receive_correction/);
    await p.selectOption('#f-sd-disposition', 'granted');
    await p.fill('#f-sd-basis', '《中华人民共和国政府信息公开条例》第三十六条第（二）项');
    await p.fill('#f-sd-provided', '随本答复书以电子邮件发送所申请的文件。');
    await press(p, '提交审核');
    await p.waitForURL(/done=submit_draft/);
  });

  step('the head of the office signs the reply');
  await as('gkb.fzr', async (p) => {
    await p.goto(caseUrl);
    await press(p, '同意签发');
    await p.waitForURL(/done=approve_decision/);
  });

  step('the reply letter is produced and delivered');
  await as('jingban', async (p) => {
    await p.goto(`${caseUrl}/letters/reply`);
    const h1 = await p.textContent('#letter h1');
    if (!h1.includes('政府信息公开申请答复书')) failures.push(`letter title: ${h1}`);
    const letter = await p.textContent('#letter');
    if (!letter.includes('李四') || !letter.includes('申请行政复议')) failures.push('letter lacks the applicant or the remedies notice');
    await axe(p);
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.click('a:text("下载 Word（.docx）")'),
    ]);
    if (!download.suggestedFilename().endsWith('.docx')) failures.push(`docx name ${download.suggestedFilename()}`);
    await p.goto(caseUrl);
    await p.selectOption('#f-dl-kind', 'electronic');
    await press(p, '记录送达并办结');
    await p.waitForURL(/done=deliver/);
    if (!(await p.textContent('#state')).includes('已办结')) failures.push('state after delivery is not 已办结');
  });

  step('the public status page shows the case closed');
  await page.goto(`${base}/apply/status`);
  await page.fill('#f-case_no', caseNo);
  await page.fill('#f-code', code);
  await press(page, '查询');
  await page.waitForSelector('#status');
  const state = (await page.textContent('#status-state')).trim();
  if (state !== '已办结') failures.push(`status page shows ${state}`);
  const body = await page.textContent('main');
  if (body.includes('李四') || body.includes('11010519491231002X')) failures.push('status page shows personal data');
  await axe(page);
  await pub.close();

  step('back-office pages of the module pass axe');
  await as('gongkaiban', async (p) => {
    for (const path of ['/admin/applications/new', '/admin/applications/report', '/admin/applications/settings', '/admin/proceedings', '/admin/calendar',
      '/admin/annual-reports?year=2020', '/admin/annual-reports?year=2026',
      '/admin/annual-reports/cell?year=2020&pointer=/tables/applications/granted/natural_person']) {
      await p.goto(`${base}${path}`);
      await axe(p);
    }
  });
  step('the annual report: supervision and the published 2020 report pass axe');
  await as('jiandu', async (p) => {
    await p.goto(`${base}/admin/annual-reports/supervision?year=2020`);
    await axe(p);
    if (!(await p.textContent('main')).includes('已按时发布')) failures.push('supervision does not show the 2020 report on time');
  });
  const pub2 = await browser.newPage();
  const list = await (await pub2.goto(`${base}/api/v1/reports?year=2020`)).json();
  const reportItem = await (await pub2.goto(`${base}/api/v1/items?per_page=100`)).json();
  const yearReport = reportItem.data.find((i) => i.title.includes('2020年政府信息公开工作年度报告'));
  if (!list.data.length || !yearReport) failures.push('the published 2020 report is not in the open-data API');
  else {
    await pub2.goto(`${base}${yearReport.url}`);
    await axe(pub2);
    if (!(await pub2.textContent('main')).includes('下载本报告')) failures.push('the report page has no downloads');
  }
  await pub2.close();
} catch (e) {
  failures.push(`flow failed: ${e.message}`);
}
await browser.close();
if (failures.length) {
  console.error('FAILED:\n' + failures.join('\n'));
  process.exit(1);
}
console.log(`ok: application ${caseNo} submitted, corrected, decided, letter produced, delivered, shown closed; ${checked.length} pages pass axe`);
