// Stub: replaced by the real global setup.
export default async function setup() {}
