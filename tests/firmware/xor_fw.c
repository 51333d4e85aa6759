/* Cortex-M4 firmware test (qemu-system-arm -M mps2-an386 -semihosting): libnn built with
   NN_NO_FILEIO and NN_NO_THREADS, every byte from a static arena (nothing from malloc),
   trains XOR (tests/golden.h), prints the weights' hash and exits through semihosting with
   status 0 when the hash equals the x86-64 golden value and the predictions are right. */
#include "nn.h"
#include "golden.h"
#include <stdint.h>
#include <string.h>

/* ---- semihosting ---- */
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
static void put(const char *s) { semihost(0x04, s); } /* SYS_WRITE0 */
static void sys_exit(int status)
{
    uint32_t block[2] = { 0x20026u, (uint32_t)status }; /* ADP_Stopped_ApplicationExit */
    semihost(0x20, block);                               /* SYS_EXIT_EXTENDED */
    semihost(0x18, (const void *)(uintptr_t)(status ? 0x20023u : 0x20026u)); /* SYS_EXIT fallback */
    for (;;) {}
}
static void put_hex(uint64_t v)
{
    char b[17];
    int i;
    for (i = 15; i >= 0; i--, v >>= 4) b[i] = "0123456789abcdef"[v & 15];
    b[16] = 0;
    put(b);
}
static void put_dec(unsigned long v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do b[--i] = (char)('0' + v % 10); while (v /= 10);
    put(b + i);
}
static void put_frac(float p) /* 0.xxxx */
{
    unsigned long v = (unsigned long)(p * 10000.0f + 0.5f);
    char b[7] = { (char)('0' + v / 10000), '.', (char)('0' + v / 1000 % 10), (char)('0' + v / 100 % 10),
                  (char)('0' + v / 10 % 10), (char)('0' + v % 10), 0 };
    put(b);
}

static unsigned char arena_buf[96 * 1024] __attribute__((aligned(16)));

int main(void)
{
    nn_allocator a;
    uint64_t h = 0;
    float p[4];
    nn_status s;
    int ok;
    put("libnn ");
    put(nn_version());
    put(" on Cortex-M4: XOR in a static arena of ");
    put_dec(sizeof arena_buf);
    put(" bytes\n");
    if (nn_arena_init(arena_buf, sizeof arena_buf, &a) != NN_OK || nn_set_default_allocator(&a) != NN_OK) {
        put("arena init failed\n");
        return 2;
    }
    {   /* measure, then place: what compile + fit(batch 4) will take */
        nn_model *m = nn_model_create(2);
        nn_model_add(m, nn_dense(8, NN_TANH));
        nn_model_add(m, nn_dense(1, NN_SIGMOID));
        put("nn_model_memory_required(batch 4): ");
        put_dec((unsigned long)nn_model_memory_required(m, 4));
        put(" bytes\n");
        nn_model_free(m);
        /* start over in a fresh arena for the measured run */
        nn_arena_init(arena_buf, sizeof arena_buf, &a);
        nn_set_default_allocator(&a);
    }
    s = golden_xor(&a, &h, p);
    put("status: ");
    put(nn_status_string(s));
    put("\npredictions: ");
    put_frac(p[0]), put(" "), put_frac(p[1]), put(" "), put_frac(p[2]), put(" "), put_frac(p[3]);
    put("\narena used: ");
    put_dec((unsigned long)nn_arena_used(&a));
    put(" bytes\nweights hash: ");
    put_hex(h);
    put(" (x86-64 golden ");
    put_hex(GOLDEN_XOR_HASH);
    put(")\n");
    ok = s == NN_OK && h == GOLDEN_XOR_HASH && p[0] < 0.2f && p[1] > 0.8f && p[2] > 0.8f && p[3] < 0.2f;
    put(ok ? "firmware: OK (bit-identical to x86-64)\n" : "firmware: FAILED\n");
    return ok ? 0 : 1;
}

/* ---- start-up: vector table, FPU on, .bss zeroed, constructors, main, exit ---- */
extern uint32_t __bss_start__[], __bss_end__[], __stack_top[];
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
void reset_handler(void);
static void fault_handler(void)
{
    put("fault\n");
    sys_exit(3);
}
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, reset_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0,
    fault_handler, fault_handler,
};
void reset_handler(void)
{
    uint32_t *p;
    void (**f)(void);
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10/CP11 full access */
    __asm__ volatile("dsb\n isb");
    for (p = __bss_start__; p < __bss_end__; p++) *p = 0;
    for (f = __init_array_start; f < __init_array_end; f++) (*f)();
    sys_exit(main());
}
