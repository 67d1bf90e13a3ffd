# tests/guests/guests.mk - the bare-metal test guests (included by Makefile).
#
#   make guests     build/guests/NAME.elf for every guest, plus
#                   build/guests/realmode.bin and rmback.bin (for
#                   `hvlab run --flat 0x8000`) and build/guests/realmode.img
#                   (a boot disk, QEMU only)
#
# A guest is one file tests/guests/NAME.c linked with the guest library
# tests/guests/lib/ in one of two flavours:
#   lib32  32-bit protected mode, the multiboot entry state as it is;
#   lib64  the entry switches to long mode first (start64.S).  The linked
#          ELF64 is converted with objcopy -O elf32-i386 so it stays a
#          multiboot-1 ELF32 image holding 64-bit code.
# Guests are built with the system gcc whatever CC is (they need -m32).

GUEST_CC   ?= gcc
GUEST_SRC  := tests/guests
GUEST_OUT  := $(BUILD)/guests
GUEST_OBJ  := $(GUEST_OUT)/obj

GUESTS32   := hello cpuid cr3 triple mmio spin io hlt vmcall smp xsetbv invlpg demo bench ata ptbench ptcache int3
GUESTS64   := msr longmode
GUEST_ELFS := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS32) $(GUESTS64))

GUEST_LIB_COMMON := start.c cmdline.c string.c printf.c ucall.c idt.c smp.c \
		    isr.S gdt.S trampoline.S
GUEST_LIB32 := $(patsubst %,$(GUEST_OBJ)/lib32/%.o,$(GUEST_LIB_COMMON) start32.S paging.c)
GUEST_LIB64 := $(patsubst %,$(GUEST_OBJ)/lib64/%.o,$(GUEST_LIB_COMMON) start64.S)

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -mgeneral-regs-only -mno-red-zone \
	-Wall -Wextra -Werror -I$(TOP)/include -I$(TOP)/user \
	-I$(TOP)/$(GUEST_SRC)/lib -MMD -MP \
	-idirafter /usr/include/$(shell $(GUEST_CC) -print-multiarch) # <asm/types.h> for -m32
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,$(GUEST_SRC)/lib/guest.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_OUT)/realmode.bin $(GUEST_OUT)/realmode.img \
	$(GUEST_OUT)/rmback.bin

# tests/vm/run-suite.sh runs `make guests` itself and copies build/guests/*
# into the VM as /guests (see tests/guests/run_guest.h).

$(GUEST_OBJ)/lib32/%.o: $(GUEST_SRC)/lib/%
	@mkdir -p $(@D)
	$(GUEST_CC) -m32 $(GUEST_CFLAGS) -c -o $@ $<
$(GUEST_OBJ)/lib64/%.o: $(GUEST_SRC)/lib/%
	@mkdir -p $(@D)
	$(GUEST_CC) -m64 $(GUEST_CFLAGS) -c -o $@ $<
$(GUEST_OBJ)/32/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) -m32 $(GUEST_CFLAGS) -c -o $@ $<
$(GUEST_OBJ)/64/%.o: $(GUEST_SRC)/%
	@mkdir -p $(@D)
	$(GUEST_CC) -m64 $(GUEST_CFLAGS) -c -o $@ $<

$(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS32)): $(GUEST_OUT)/%.elf: $(GUEST_OBJ)/32/%.o $(GUEST_LIB32) $(GUEST_SRC)/lib/guest.ld
	$(GUEST_CC) -m32 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB32)

$(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS64)): $(GUEST_OUT)/%.elf: $(GUEST_OBJ)/64/%.c.o $(GUEST_LIB64) $(GUEST_SRC)/lib/guest.ld
	$(GUEST_CC) -m64 $(GUEST_LDFLAGS) -o $(GUEST_OBJ)/$*.elf64 $< $(GUEST_LIB64)
	objcopy -O elf32-i386 $(GUEST_OBJ)/$*.elf64 $@

# realmode: 16-bit entry at 0x8000 (CS:IP = 0x0800:0000) + the lib64 path.
# (--defsym must precede -T for the script's DEFINED(GUEST_BASE) to see it.)
$(GUEST_OBJ)/realmode.elf64: $(GUEST_OBJ)/64/realmode.S.o $(GUEST_OBJ)/64/realmode.c.o $(GUEST_LIB64) $(GUEST_SRC)/lib/guest.ld
	$(GUEST_CC) -m64 -Wl,--defsym=GUEST_BASE=0x8000 $(GUEST_LDFLAGS) -o $@ \
		$(GUEST_OBJ)/64/realmode.S.o $(GUEST_OBJ)/64/realmode.c.o $(GUEST_LIB64)
$(GUEST_OUT)/realmode.bin: $(GUEST_OBJ)/realmode.elf64
	objcopy -O binary -j .text -j .rodata -j .data -j .ex_table $< $@

# rmback: 16-bit code only, linked at 0 (offsets from CS base 0x8000).
$(GUEST_OUT)/rmback.bin: $(GUEST_OBJ)/64/rmback.S.o
	$(GUEST_CC) -m64 -nostdlib -static -no-pie -Wl,-Ttext=0 -Wl,--build-id=none \
		-Wl,-z,noexecstack -o $(GUEST_OBJ)/rmback.elf64 $<
	objcopy -O binary -j .text $(GUEST_OBJ)/rmback.elf64 $@

# QEMU cannot start a flat binary in real mode at 0x8000; a boot sector
# (bootsect.S, BIOS int 13h) loads it there and jumps to 0x0800:0000.
$(GUEST_OUT)/realmode.img: $(GUEST_OBJ)/64/bootsect.S.o $(GUEST_OUT)/realmode.bin
	objcopy -O binary -j .text $< $(GUEST_OBJ)/bootsect.bin
	cat $(GUEST_OBJ)/bootsect.bin $(GUEST_OUT)/realmode.bin > $@
	truncate -s 64K $@
