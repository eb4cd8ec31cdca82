import assert from "node:assert/strict";
import { testCertificates } from "../tests/support/webhook_server.ts";
import { pemFileProblem } from "./pem.ts";

Deno.test("pemFileProblem accepts certificates and keys, and names what is wrong with any other file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { caPem, certPem, keyPem } = await testCertificates();
    const file = (name: string, text: string) => {
      Deno.writeTextFileSync(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    };
    assert.equal(pemFileProblem(file("ca", caPem), "certificates"), undefined);
    assert.equal(
      pemFileProblem(file("bundle", caPem + certPem), "certificates"),
      undefined,
    );
    assert.equal(pemFileProblem(file("key", keyPem), "private key"), undefined);

    assert.equal(
      pemFileProblem(`${dir}/none`, "certificates")?.startsWith(
        "cannot be read: ",
      ),
      true,
    );
    assert.equal(pemFileProblem(dir, "private key"), "is not a file");
    assert.equal(
      pemFileProblem(file("text", "hello\n"), "certificates"),
      "holds no PEM CERTIFICATE block",
    );
    assert.equal(
      pemFileProblem(file("key-as-ca", keyPem), "certificates"),
      "holds no PEM CERTIFICATE block",
    );
    const damaged = certPem.replace(
      /\n[A-Za-z0-9+/]{20}/,
      "\nAAAAAAAAAAAAAAAAAAAA",
    );
    assert.match(
      pemFileProblem(file("damaged", caPem + damaged), "certificates") ?? "",
      /^holds a certificate that does not parse \(block 2 of 2: .+\)$/,
    );
    assert.match(
      pemFileProblem(file("cert-as-key", certPem), "private key") ?? "",
      /^holds no readable PEM private key \(.+\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
