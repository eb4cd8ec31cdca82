/**
 * The `serviceaccount` controller.
 *
 * @module
 */

export { serviceAccountController } from "./serviceaccounts_controller.ts";
