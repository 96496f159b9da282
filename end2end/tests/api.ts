import type { APIRequestContext } from "@playwright/test";

/** The Activity API's view of a filter, to compare the page with. */
export async function timeline(request: APIRequestContext, query: string) {
  const response = await request.get(`/api/activity/timeline${query}`);
  if (!response.ok()) throw new Error(`timeline ${query}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { totals: { events: number; read: number; write: number; errors: number }; buckets: unknown[] };
}

export async function top(request: APIRequestContext, query: string) {
  const response = await request.get(`/api/activity/top${query}`);
  if (!response.ok()) throw new Error(`top ${query}: ${response.status()} ${await response.text()}`);
  type Entry = { value: string; count: number };
  return (await response.json()) as { event_names: Entry[]; user_agents: Entry[] };
}
