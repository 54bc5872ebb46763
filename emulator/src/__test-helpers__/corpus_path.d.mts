export function findCorpus(): string;
