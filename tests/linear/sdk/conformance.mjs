// Drives the Linear sandbox with Linear's official SDK (pinned in package-lock.json) and prints what it saw as
// JSON; tests/linear/test_sdk_conformance.py runs it (cwd .node/, so `@linear/sdk` resolves there) and checks
// the answers against the sandbox's state. Every call is the SDK's own query, fragments included.
import { LinearClient } from "@linear/sdk";

const client = new LinearClient({ apiKey: process.env.LINEAR_API_KEY, apiUrl: process.env.LINEAR_API_URL });
const out = {};

async function attempt(name, run) {
  try {
    out[name] = await run();
  } catch (error) {
    out[name] = { error: String(error?.message ?? error), type: error?.type ?? null };
  }
}

await attempt("viewer", async () => {
  const me = await client.viewer;
  return { id: me.id, name: me.name, isMe: me.isMe, createdIssueCount: me.createdIssueCount };
});

await attempt("teams", async () => {
  const teams = await client.teams();
  return teams.nodes.map((t) => ({ id: t.id, key: t.key, name: t.name, visibility: t.visibility }));
});

await attempt("issuePages", async () => {
  const filter = { team: { key: { eq: "ENG" } }, state: { type: { in: ["backlog", "unstarted", "started"] } } };
  const page = await client.issues({ first: 7, filter, orderBy: "updatedAt" });
  let pages = 1;
  while (page.pageInfo.hasNextPage) {
    await page.fetchNext();
    pages += 1;
  }
  return { pages, ids: page.nodes.map((i) => i.id), identifiers: page.nodes.map((i) => i.identifier) };
});

await attempt("recentIssues", async () => {
  const page = await client.issues({ first: 50, filter: { createdAt: { gt: "-P2W" } } });
  return page.nodes.map((i) => i.identifier);
});

const issueId = process.env.ISSUE_ID;

await attempt("createAttachment", async () => {
  const payload = await client.createAttachment({
    issueId,
    title: "RICE 12.5",
    subtitle: "rank 3",
    url: "https://syncer.example.com/linear/conformance",
    metadata: { score: 12.5, bucket: "Now" },
  });
  const attachment = await payload.attachment;
  return { success: payload.success, id: attachment?.id, url: attachment?.url };
});

await attempt("createComment", async () => {
  const payload = await client.createComment({ issueId, body: "conformance comment" });
  const comment = await payload.comment;
  return { success: payload.success, id: comment?.id, body: comment?.body };
});

await attempt("updateIssue", async () => {
  const payload = await client.updateIssue(issueId, { labelIds: JSON.parse(process.env.LABEL_IDS) });
  return { success: payload.success };
});

await attempt("updateIssueTwoOfAGroup", async () => {
  const payload = await client.updateIssue(issueId, { labelIds: JSON.parse(process.env.CONFLICTING_LABEL_IDS) });
  return { success: payload.success };
});

await attempt("issue", async () => {
  const issue = await client.issue(issueId);
  const [labels, attachments, comments, state, team] = await Promise.all([
    issue.labels(),
    issue.attachments(),
    issue.comments(),
    issue.state,
    issue.team,
  ]);
  return {
    id: issue.id,
    identifier: issue.identifier,
    priorityLabel: issue.priorityLabel,
    labelIds: issue.labelIds,
    labels: labels.nodes.map((l) => l.name).sort(),
    attachments: attachments.nodes.map((a) => ({ url: a.url, title: a.title, metadata: a.metadata })),
    comments: comments.nodes.map((c) => c.body),
    state: state?.type,
    team: team?.key,
  };
});

await attempt("labels", async () => {
  const labels = await client.issueLabels({ first: 100 });
  return labels.nodes.map((l) => l.name);
});

await attempt("unknownIssue", async () => {
  const issue = await client.issue("ENG-99999");
  return { id: issue.id };
});

await attempt("notModelled", async () => {
  const cycles = await client.cycles();
  return { count: cycles.nodes.length };
});

console.log(JSON.stringify(out));
