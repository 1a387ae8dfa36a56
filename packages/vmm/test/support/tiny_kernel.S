/* 64-bit entry of the tiny test kernel: loaded at 1 MiB, entered at +0x200 with rsi = zero page. */
        .code64
        .text
        .globl _start
_start:
        mov     %rsi, %r12                  /* zero page */
        lea     hello(%rip), %rbx
        call    puts
        mov     0x228(%r12), %ebx           /* hdr.cmd_line_ptr */
        call    puts
        lea     crlf(%rip), %rbx
        call    puts
        mov     mode(%rip), %eax
        cmp     $1, %eax
        je      panic
        cmp     $2, %eax
        je      triple
        cmp     $3, %eax
        je      halt
        cmp     $4, %eax
        je      hang
        cmp     $5, %eax
        je      kbd_reset_fault
        cmp     $6, %eax
        je      cf9_reset_fault
reboot:
        lea     rebooting(%rip), %rbx
        call    puts
        movw    $0, 0x472
        jmp     kbd_reset
panic:
        lea     panicking(%rip), %rbx
        call    puts
        movw    $0x1234, 0x472
kbd_reset:
        mov     $0xfe, %al
        out     %al, $0x64
1:      hlt
        jmp     1b
kbd_reset_fault:                            /* a reset, then at once a triple fault: the reset counts */
        movw    $0, 0x472
        mov     $0xfe, %al
        out     %al, $0x64
        int3
cf9_reset_fault:                            /* the same through the reset control register */
        movw    $0, 0x472
        mov     $0x06, %al
        mov     $0xcf9, %dx
        out     %al, %dx
        int3
triple:
        lea     faulting(%rip), %rbx
        call    puts
        int3                                /* the boot IDT (limit 7) has no vector 3: #GP, #DF, shutdown */
        jmp     triple
halt:
        lea     halting(%rip), %rbx
        call    puts
        cli
2:      hlt
        jmp     2b

hang:
        lea     waiting(%rip), %rbx
        call    puts
        cli
5:      hlt
        jmp     5b

/* puts: writes the NUL-terminated string at rbx to COM1, polling LSR.THRE */
puts:
        movzbl  (%rbx), %ecx
        test    %cl, %cl
        jz      3f
        mov     $0x3fd, %dx
4:      in      %dx, %al
        test    $0x20, %al
        jz      4b
        mov     $0x3f8, %dx
        mov     %cl, %al
        out     %al, %dx
        inc     %rbx
        jmp     puts
3:      ret

hello:  .asciz "tiny: hello from 64-bit mode\r\ntiny: cmdline: "
crlf:   .asciz "\r\n"
rebooting: .asciz "tiny: rebooting\r\n"
panicking: .asciz "Kernel panic - not syncing: tiny test panic\r\n"
faulting: .asciz "tiny: triple fault\r\n"
halting: .asciz "reboot: Power down\r\n"
waiting: .asciz "tiny: waiting forever\r\n"
        .balign 4
mode:   .long 0
