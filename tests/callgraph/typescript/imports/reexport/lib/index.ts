export { helper } from "./impl";
