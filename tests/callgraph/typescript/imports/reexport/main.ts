import { helper } from "./lib";
export function main(): number { return helper(); }
