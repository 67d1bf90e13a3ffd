# Lab 9's check of inject() (user/vcpu_irq.c) stands in for the interrupt
# controllers and the module: the calls inject() makes go to grade.c's
# __wrap_ functions, which pass every other caller on to the real ones.
$(BUILD)/labs/09-interrupts/grade: LAB_GRADE_LDFLAGS = -Wl,--wrap=ioctl \
	-Wl,--wrap=irqchip_has_pending -Wl,--wrap=irqchip_take -Wl,--wrap=irqchip_take_nmi
