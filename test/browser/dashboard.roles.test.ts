/**
 * The dashboard as three people: an admin adds an editor and a reporter (keys shown once); the
 * reporter publishes and finds flash refused (the option and the server); the editor corrects
 * (changed words highlighted) and kills; every desk item and version names its actor.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, useChromium } from '../helpers/dashboard.js';
import type { Page } from 'playwright-core';

describe('dashboard: people, roles and actors', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  async function addPerson(admin: Page, name: string, role: string, channels: string): Promise<string> {
    await admin.locator('#people-name').fill(name);
    await admin.locator('#people-role').selectOption(role);
    await admin.locator('#people-channels').fill(channels);
    await admin.locator('#people-form button[type="submit"]').click();
    await admin.locator(`#people-list tr[data-name="${name}"][data-role="${role}"]`).waitFor();
    expect(await admin.locator('#people-issued-text').textContent()).toContain(name);
    const key = (await admin.locator('#people-issued-key').textContent()) ?? '';
    expect(key).toMatch(/^ntk_/);
    return key;
  }

  it('an admin adds people; a reporter publishes but not flash; an editor corrects and kills; actors shown', async () => {
    const channel = freshChannel('ar');
    const admin = await chromium.page();
    // Page errors and console errors, with where they came from. Chromium may ask for
    // /favicon.ico on its own (not a request of the page; the app has no icon): not an error of ours.
    const errors: string[] = [];
    admin.on('pageerror', (err) => errors.push(err.message));
    admin.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} ${msg.location().url}`);
    });
    await openDashboard(admin, server.url, ADMIN_KEY, [channel]);
    expect(await admin.locator('#who-role').getAttribute('data-role')).toBe('admin');
    await admin.locator('#people').waitFor();
    // Validation messages clear once the field is fixed.
    await admin.locator('#people-form button[type="submit"]').click();
    await expect.poll(() => admin.locator('#people-error').textContent()).toBe('Give the person a name.');
    await admin.locator('#people-name').fill('x');
    await admin.locator('#people-error').waitFor({ state: 'hidden' });
    const editorKey = await addPerson(admin, 'Eli Editor', 'editor', 'ar-*');
    const reporterKey = await addPerson(admin, 'Rana Reporter', 'reporter', channel);
    expect(await admin.locator('#people-list').textContent()).not.toContain(editorKey);

    // The reporter: flash and bulletin are refused in the composer, and by the server.
    const reporter = await chromium.page();
    await openDashboard(reporter, server.url, reporterKey, [channel]);
    expect(await reporter.locator('#who').textContent()).toContain('Rana Reporter');
    expect(await reporter.locator('#who-role').textContent()).toBe('Role: Reporter');
    expect(await reporter.locator('#people').isHidden()).toBe(true);
    expect(await reporter.locator('input[name="urgency"][value="flash"]').isDisabled()).toBe(true);
    expect(await reporter.locator('input[name="urgency"][value="bulletin"]').isDisabled()).toBe(true);
    expect(await reporter.locator('#f-urgency-role').textContent()).toContain('flash and bulletin need an editor');
    await compose(reporter, { headline: 'مراسلنا: انقطاع الكهرباء في حماة', urgency: 'urgent' });
    await reporter.locator('#f-headline').press('Control+Enter');
    const row = deskRow(reporter, 'مراسلنا: انقطاع الكهرباء في حماة');
    await row.and(reporter.locator('[data-status="live"]')).waitFor();
    expect(await row.locator('.desk-meta .actor').textContent()).toBe('by Rana Reporter');
    // Forcing the flash option past the UI: the server refuses with ROLE_FORBIDS, shown in words.
    await reporter.locator('#f-headline').fill('مراسلنا: عاجل مزعوم');
    await reporter.evaluate(() => {
      const flash = document.querySelector<HTMLInputElement>('input[name="urgency"][value="flash"]')!;
      flash.disabled = false;
      flash.checked = true;
    });
    await reporter.locator('#f-headline').press('Control+Enter');
    const confirm = reporter.locator('#flash-dialog[open] button[value="confirm"]');
    await confirm.click();
    await expect.poll(() => reporter.locator('#compose-error').textContent()).toContain('Your role does not allow this');
    expect((await deskDocs(server.url, channel)).map((d) => d.headline)).toEqual(['مراسلنا: انقطاع الكهرباء في حماة']);

    // The editor: corrects the reporter's headline and kills it.
    const editor = await chromium.page();
    await openDashboard(editor, server.url, editorKey, [channel]);
    const item = deskRow(editor, 'مراسلنا: انقطاع الكهرباء في حماة');
    await item.waitFor();
    expect(await item.locator('.desk-meta .actor').textContent()).toBe('by Rana Reporter');
    await item.locator('button[data-action="correct"]').click();
    await editor.locator('#f-headline').fill('مراسلنا: انقطاع الكهرباء في حماة وحمص');
    await editor.locator('#f-note').fill('أضيفت حمص');
    await editor.locator('#f-note').press('Control+Enter');
    const corrected = deskRow(editor, 'مراسلنا: انقطاع الكهرباء في حماة وحمص').and(editor.locator('[data-version="2"]'));
    await corrected.waitFor();
    expect(await corrected.locator('.desk-meta .actor').textContent()).toBe('by Eli Editor');
    await corrected.locator('summary').click();
    const v2 = corrected.locator('.versions li[data-version="2"]');
    await v2.waitFor();
    expect(await v2.getAttribute('data-actor')).toBe('Eli Editor');
    expect((await v2.locator('.diff ins').allTextContents()).join('')).toContain('وحمص');
    expect(await v2.locator('.diff del').count()).toBe(0);
    expect(await corrected.locator('.versions li[data-version="1"]').getAttribute('data-actor')).toBe('Rana Reporter');
    // The reporter's desk shows the editor's name live.
    await deskRow(reporter, 'وحمص').locator('.desk-meta .actor', { hasText: 'by Eli Editor' }).waitFor();

    await corrected.locator('button[data-action="retract"]').click();
    await editor.locator('#reason-input').fill('لم يتأكد');
    await editor.locator('#reason-confirm').click();
    const killed = deskRow(editor, 'وحمص').and(editor.locator('[data-status="retracted"]'));
    await killed.waitFor();
    expect(await killed.locator('.desk-meta .actor').textContent()).toBe('by Eli Editor');
    // Search and the person filter on the admin's desk.
    await admin.locator('#filter-person').selectOption('Rana Reporter');
    await expect.poll(() => admin.locator('#desk-list .desk-headline').allTextContents()).toEqual(['مراسلنا: انقطاع الكهرباء في حماة وحمص']);
    await admin.locator('#filter-person').selectOption('');
    await admin.locator('#filter-text').fill('لا يوجد');
    await admin.locator('#desk-empty').waitFor();
    await admin.locator('#filter-text').fill('حمص');
    await expect.poll(() => admin.locator('#desk-list .desk-headline').count()).toBe(1);

    // The admin revokes the reporter: the reporter's desk feed is cut.
    await admin.locator('#people-list tr[data-name="Rana Reporter"] button[data-action="revoke"]').click();
    await admin.locator('#people-list tr[data-name="Rana Reporter"] [data-state="revoked"]').waitFor();
    await reporter.locator('#desk-status:not([data-state="live"])').waitFor();
    expect(errors).toEqual([]);
  }, 120_000);
});
