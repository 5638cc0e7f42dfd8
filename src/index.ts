export { tick } from '../assembly/kernel/balancer.ts';
