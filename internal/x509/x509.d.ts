// The types of `x509.js`: those of the package it bundles.
export * from "@peculiar/x509";
