import assert from "node:assert/strict";
import { requestPathname } from "./_paths.ts";

Deno.test("requestPathname is new URL(url).pathname, with or without the shortcut", () => {
  for (
    const url of [
      "https://h:6443/api/v1/namespaces/default/configmaps/a",
      "https://h/api/v1/namespaces/default/configmaps/a?watch=1#x",
      "https://h/clusters/team-a/control-plane/readyz",
      "https://h",
      "https://h/",
      "https://h/version/../healthz",
      "https://h/a/./b",
      "https://h/a/%2e%2E/b",
      'https://h/a b/"c"/{d}/`e`/<f>',
      "https://h/a\\b",
      "https://h/caf\u00e9",
      "https://h//double//slash",
      "https://h/kube-root-ca.crt",
      "https://h/a#frag?not-query",
      "https://h/a?q=/..#x",
      "https://h/~user/!$&'()*+,;=:@",
    ]
  ) {
    assert.equal(requestPathname(url), new URL(url).pathname, url);
  }
});
