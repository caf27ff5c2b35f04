// Routes are hashes: #/<example>/<user>/<page...>, so the console works from any static server.
export const href = (example, user, page = "") =>
  `#/${encodeURIComponent(example)}/${encodeURIComponent(user)}${page ? `/${page}` : ""}`;
