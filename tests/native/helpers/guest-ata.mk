# guest-ata.mk - links build/guests/ata.elf with the guest library, for
# tests/native/disk_guest.sh, until tests/guests/guests.mk lists `ata`.
# Used as: make -f Makefile -f tests/native/helpers/guest-ata.mk ata-guest
.PHONY: ata-guest
ifeq ($(filter ata,$(GUESTS32)),)
ata-guest: $(GUEST_OUT)/ata.elf
$(GUEST_OUT)/ata.elf: $(GUEST_OBJ)/32/ata.o $(GUEST_LIB32) $(GUEST_SRC)/lib/guest.ld
	$(GUEST_CC) -m32 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB32)
else
ata-guest: $(GUEST_OUT)/ata.elf
endif
