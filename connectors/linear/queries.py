"""Every GraphQL operation the Linear connector sends, as constants.

`OPERATIONS` lists them all; a test validates each against Linear's published schema, so a misspelt field
fails the suite rather than the first real run. The issue page asks only for what the configured inputs and
outputs need, through `@include(if: $with...)` switches, so the text stays constant while the cost follows
the config. Label names are read once (`ISSUE_LABELS`) and issues carry only `labelIds`: a nested
`labels { nodes { name parent { name } } }` would cost 2+ points per label per issue against the 10,000-point cap.
"""

from __future__ import annotations

TEAMS = """
query SyncerTeams($first: Int!, $after: String, $filter: TeamFilter) {
  teams(first: $first, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes { id key name issueEstimationType issueEstimationExtended issueEstimationAllowZero }
  }
}
"""

ISSUE_LABELS = """
query SyncerLabels($first: Int!, $after: String, $filter: IssueLabelFilter) {
  issueLabels(first: $first, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isGroup parent { id name } team { id } }
  }
}
"""

ISSUES = """
query SyncerIssues(
  $first: Int!, $after: String, $filter: IssueFilter,
  $withEstimate: Boolean!, $withPriority: Boolean!, $withDescription: Boolean!,
  $withNeeds: Boolean!, $needsFirst: Int!,
  $withAttachment: Boolean!, $attachmentPrefix: String!,
  $withComments: Boolean!, $commentMarker: String!
) {
  issues(first: $first, after: $after, filter: $filter, orderBy: createdAt, includeArchived: false) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id identifier title url createdAt updatedAt startedAt completedAt canceledAt labelIds
      state { name type }
      team { id key }
      assignee { name }
      parent { id }
      estimate @include(if: $withEstimate)
      priority @include(if: $withPriority)
      description @include(if: $withDescription)
      needs(first: $needsFirst) @include(if: $withNeeds) { pageInfo { hasNextPage endCursor } nodes { id } }
      attachments(first: 3, filter: { url: { startsWith: $attachmentPrefix } }) @include(if: $withAttachment) {
        nodes { id url metadata }
      }
      comments(first: 3, filter: { body: { contains: $commentMarker } }) @include(if: $withComments) {
        nodes { id body }
      }
    }
  }
}
"""

# Issues completed since a moment, for the report's flow metrics: only the dates and the team. `startedAt` is when
# the issue first entered a started state, so startedAt -> completedAt is the cycle time without any history read.
# Archived issues count: Linear auto-archives closed issues (after one month at the shortest setting).
COMPLETED = """
query SyncerCompleted($first: Int!, $after: String, $filter: IssueFilter) {
  issues(first: $first, after: $after, filter: $filter, orderBy: createdAt, includeArchived: true) {
    pageInfo { hasNextPage endCursor }
    nodes { identifier createdAt startedAt completedAt team { key } }
  }
}
"""

ISSUE_NEEDS = """
query SyncerIssueNeeds($id: String!, $first: Int!, $after: String) {
  issue(id: $id) {
    needs(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
  }
}
"""

UPSERT_ATTACHMENT = """
mutation SyncerUpsertAttachment($input: AttachmentCreateInput!) {
  attachmentCreate(input: $input) { success attachment { id url } }
}
"""

ADD_LABEL = """
mutation SyncerAddLabel($id: String!, $labelId: String!) {
  issueAddLabel(id: $id, labelId: $labelId) { success }
}
"""

REMOVE_LABEL = """
mutation SyncerRemoveLabel($id: String!, $labelId: String!) {
  issueRemoveLabel(id: $id, labelId: $labelId) { success }
}
"""

# Mutation fields run in order (GraphQL spec), so the old bucket is gone before the new one is added: an
# exclusive group refuses a second child rather than swapping, and this keeps the swap to one request.
SWAP_LABEL = """
mutation SyncerSwapLabel($id: String!, $removeId: String!, $addId: String!) {
  removed: issueRemoveLabel(id: $id, labelId: $removeId) { success }
  added: issueAddLabel(id: $id, labelId: $addId) { success }
}
"""

CREATE_LABEL = """
mutation SyncerCreateLabel($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) { success issueLabel { id name isGroup parent { id name } team { id } } }
}
"""

CREATE_COMMENT = """
mutation SyncerCreateComment($input: CommentCreateInput!) {
  commentCreate(input: $input) { success comment { id } }
}
"""

UPDATE_COMMENT = """
mutation SyncerUpdateComment($id: String!, $input: CommentUpdateInput!) {
  commentUpdate(id: $id, input: $input) { success comment { id } }
}
"""

DELETE_COMMENT = """
mutation SyncerDeleteComment($id: String!) {
  commentDelete(id: $id) { success }
}
"""

# Asked only after a create failed: a create whose answer was lost may have happened, and its id is ours.
COMMENT = """
query SyncerComment($id: String!) {
  comment(id: $id) { id body }
}
"""

OPERATIONS: dict[str, str] = {
    "SyncerTeams": TEAMS,
    "SyncerLabels": ISSUE_LABELS,
    "SyncerIssues": ISSUES,
    "SyncerIssueNeeds": ISSUE_NEEDS,
    "SyncerCompleted": COMPLETED,
    "SyncerUpsertAttachment": UPSERT_ATTACHMENT,
    "SyncerAddLabel": ADD_LABEL,
    "SyncerRemoveLabel": REMOVE_LABEL,
    "SyncerSwapLabel": SWAP_LABEL,
    "SyncerCreateLabel": CREATE_LABEL,
    "SyncerCreateComment": CREATE_COMMENT,
    "SyncerUpdateComment": UPDATE_COMMENT,
    "SyncerComment": COMMENT,
    "SyncerDeleteComment": DELETE_COMMENT,
}
"""Operation name -> document: everything the connector can send."""
