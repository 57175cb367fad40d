/** The incident channel's name, shared by every chat provider so a restarted worker finds the same channel. */
export function channelNameFor(incidentId: string, title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
    .replace(/-$/, '');
  return `inc-${incidentId}${slug ? `-${slug}` : ''}`.slice(0, 80);
}
