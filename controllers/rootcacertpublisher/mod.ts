/**
 * The `root-ca-cert-publisher` controller.
 *
 * @module
 */

export { ROOT_CA_CONFIGMAP, rootCACertPublisher } from "./publisher.ts";
