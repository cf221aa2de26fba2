/**
 * Demo headlines for `npm start` on the memory engine without API_KEYS, so a first visit shows a
 * live ticker. Taken from the page the product grew from (a copy is in test/fixtures/seed/) and its English twin.
 */
import type { Logger } from 'pino';
import { publishInputSchema } from '../shared/schemas.js';
import type { HeadlineService } from './domain/service.js';

const DAY = 24 * 3600_000;

const DEMO: { channel: string; body: Record<string, unknown> }[] = [
  { channel: 'ar-breaking', body: { headline: 'شويغو في بكين.. مشاورات "أمنية استراتيجية" بين روسيا والصين', language: 'ar', urgency: 'urgent', by: 'رويترز', section: 'العالم' } },
  { channel: 'ar-breaking', body: { headline: 'وانغ يي يجتمع الثلاثاء مع شويغو لإجراء مشاورات أمنية', language: 'ar', urgency: 'routine', by: 'فرانس برس', section: 'العالم' } },
  { channel: 'ar-breaking', body: { headline: 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات', language: 'ar', urgency: 'flash', section: 'العالم' } },
  { channel: 'en-world', body: { headline: 'Shoigu in Beijing for "strategic security" talks between Russia and China', language: 'en', urgency: 'urgent', by: 'Reuters', section: 'World' } },
  { channel: 'en-breaking', body: { headline: 'Syrian media: Israeli jets strike Hama military airport in 3 raids', language: 'en', urgency: 'flash', section: 'World' } },
];

export async function publishDemoHeadlines(service: HeadlineService, logger: Logger): Promise<void> {
  const expires = new Date(Date.now() + DAY).toISOString();
  for (const { channel, body } of DEMO) {
    await service.publish(channel, publishInputSchema.parse({ ...body, expires }));
  }
  logger.info({ headlines: DEMO.length }, 'demo headlines published (memory engine, no API_KEYS)');
}
