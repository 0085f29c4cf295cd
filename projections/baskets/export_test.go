package baskets

// RunContract lets the external test package run the contract suite against
// adapters in sub-packages (sqlitestore), which the internal tests cannot
// import without a cycle.
var RunContract = runContract
